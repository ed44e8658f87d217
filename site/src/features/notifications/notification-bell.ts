/**
 * The header bell (ADR 0017): the unread badge, a dropdown of the latest notifications,
 * marking one (by opening it) or all read, and live updates over `GET /ws/notifications`
 * while someone is signed in. The API's unread count always wins over local arithmetic.
 */
import { api, type NotificationDto } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { avatarElement } from "../../lib/channel-chip.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { formatRelativeTime } from "../../lib/format.ts";
import {
  browserLiveNotificationsDeps,
  connectLiveNotifications,
  type LiveNotifications,
} from "./live-notifications.ts";
import { badgeText, notificationHref, notificationText } from "./notification-text.ts";

const MAX_SHOWN = 10;

function bellElements(root: HTMLElement) {
  const $ = elementsOf(root, "notification bell");
  return {
    toggle: $(role("toggle"), HTMLButtonElement),
    badge: $(role("badge")),
    menu: $(role("menu")),
    list: $(role("list"), HTMLUListElement),
    empty: $(role("empty")),
    readAll: $(role("read-all"), HTMLButtonElement),
  };
}

type Els = ReturnType<typeof bellElements>;

function itemNode(n: NotificationDto, onOpen: (n: NotificationDto) => void): HTMLLIElement {
  const li = document.createElement("li");
  li.className = "bell-item";
  li.dataset.testid = "bell-item";
  li.dataset.type = n.type;
  li.dataset.read = String(n.read);
  const link = document.createElement("a");
  link.href = notificationHref(n);
  link.className = "bell-link";
  if (n.actor) link.append(avatarElement(document, n.actor, "sm"));
  const body = document.createElement("span");
  body.className = "bell-body";
  const text = document.createElement("span");
  text.className = "bell-text";
  text.textContent = notificationText(n);
  const when = document.createElement("span");
  when.className = "bell-when";
  when.textContent = formatRelativeTime(n.createdAt);
  body.append(text, when);
  link.append(body);
  if (!n.read) {
    const dot = document.createElement("span");
    dot.className = "bell-dot";
    dot.setAttribute("aria-label", "unread");
    link.append(dot);
  }
  link.addEventListener("click", () => onOpen(n));
  li.append(link);
  return li;
}

class Bell {
  private items: NotificationDto[] = [];
  private unread = 0;
  private live: LiveNotifications | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly els: Els,
  ) {}

  render() {
    const { badge, list, empty, readAll, toggle } = this.els;
    badge.textContent = badgeText(this.unread);
    badge.hidden = this.unread === 0;
    this.root.dataset.unread = String(this.unread);
    toggle.setAttribute("aria-label", this.unread ? `Notifications, ${this.unread} unread` : "Notifications");
    list.replaceChildren(...this.items.slice(0, MAX_SHOWN).map((n) => itemNode(n, (x) => void this.open(x))));
    empty.hidden = this.items.length > 0;
    readAll.disabled = this.unread === 0;
  }

  async load() {
    try {
      const page = await api.notifications();
      this.items = page.notifications;
      this.unread = page.unreadCount;
      this.render();
    } catch {
      // The bell stays as it was; the socket's first frame brings the count.
    }
  }

  start() {
    if (this.live) return;
    void this.load();
    this.live = connectLiveNotifications(browserLiveNotificationsDeps(), (m) => {
      this.unread = m.unreadCount;
      if (m.type === "notification" && !this.items.some((n) => n.id === m.notification.id)) {
        this.items = [m.notification, ...this.items];
      }
      this.render();
    });
  }

  stop() {
    this.live?.stop();
    this.live = null;
    this.items = [];
    this.unread = 0;
    this.render();
  }

  private async open(n: NotificationDto) {
    if (n.read) return;
    n.read = true;
    try {
      this.unread = (await api.markNotificationsRead({ ids: [n.id] })).unreadCount;
    } catch {
      // Navigation goes on; the next load shows the true state.
    }
  }

  async readAll() {
    try {
      this.unread = (await api.markNotificationsRead({ all: true })).unreadCount;
      this.items = this.items.map((n) => ({ ...n, read: true }));
      this.render();
    } catch {
      // Nothing changed; the button stays.
    }
  }
}

export function mountNotificationBell(root: HTMLElement): void {
  const els = bellElements(root);
  const bell = new Bell(root, els);
  const setOpen = (open: boolean) => {
    els.menu.hidden = !open;
    els.toggle.setAttribute("aria-expanded", String(open));
  };
  els.toggle.addEventListener("click", () => setOpen(els.menu.hidden === true));
  els.readAll.addEventListener("click", () => void bell.readAll());
  document.addEventListener("click", (e) => {
    if (!root.contains(e.target as Node)) setOpen(false);
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !els.menu.hidden) {
      setOpen(false);
      els.toggle.focus();
    }
  });
  const follow = (status: string) => (status === "signed-in" ? bell.start() : bell.stop());
  follow(authSession.state().status);
  authSession.subscribe((state) => follow(state.status));
}
