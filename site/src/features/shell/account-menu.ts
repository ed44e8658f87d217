/**
 * The header's account menu (components/account-menu.astro): the menu-button behaviour,
 * the signed-in user's links (their channel, Admin when the account has the moderator or
 * admin role), the avatar from their channel, and the theme. A theme picked here applies at
 * once, is remembered in the `sl_theme` cookie and, signed in, saved as the account's
 * preference (`PATCH /api/me/preferences`).
 */
import type { Theme } from "@streamline/contracts";
import { api, type UserDto } from "../../lib/api.ts";
import { type AuthState, authSession } from "../../lib/auth-session.ts";
import { channelHref, initialOf } from "../../lib/channel-chip.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { applyTheme, isTheme } from "../../lib/theme.ts";
import { mountMenuButton } from "./menu-button.ts";

const STAFF_ROLES = new Set(["moderator", "admin"]);
const AVATAR_CACHE = "streamline:header-avatar";
const AVATAR_CACHE_MS = 10 * 60_000;

/** True when the user DTO lists a moderator or admin role (`roles` is optional: older edges omit it). */
export function isStaff(user: UserDto | null): boolean {
  const roles = (user as { roles?: unknown } | null)?.roles;
  return Array.isArray(roles) && roles.some((r) => typeof r === "string" && STAFF_ROLES.has(r));
}

interface CachedAvatar {
  userId: string;
  at: number;
  displayName: string;
  avatarUrl: string | null;
}

function cachedAvatar(userId: string): CachedAvatar | null {
  try {
    const raw = sessionStorage.getItem(AVATAR_CACHE);
    const entry = raw ? (JSON.parse(raw) as CachedAvatar) : null;
    return entry?.userId === userId && Date.now() - entry.at < AVATAR_CACHE_MS ? entry : null;
  } catch {
    return null;
  }
}

/** The user's channel name and avatar: from this tab's cache (10 min), else `GET /api/me/channel`. */
async function channelLook(userId: string): Promise<CachedAvatar | null> {
  const cached = cachedAvatar(userId);
  if (cached) return cached;
  const mine = await api.myChannel().catch(() => null);
  if (!mine) return null;
  const entry = {
    userId,
    at: Date.now(),
    displayName: mine.channel.displayName,
    avatarUrl: mine.channel.avatarUrl,
  };
  try {
    sessionStorage.setItem(AVATAR_CACHE, JSON.stringify(entry));
  } catch {
    // Only costs a request on the next page.
  }
  return entry;
}

function currentTheme(): Theme {
  const value = document.documentElement.dataset.theme;
  return isTheme(value) ? value : "system";
}

function paintTheme(choices: HTMLButtonElement[]): void {
  const theme = currentTheme();
  for (const choice of choices)
    choice.setAttribute("aria-checked", String(choice.dataset.themeChoice === theme));
}

async function chooseTheme(theme: Theme, choices: HTMLButtonElement[]): Promise<void> {
  applyTheme(theme);
  paintTheme(choices);
  if (authSession.state().status !== "signed-in") return;
  await api.updatePreferences({ theme }).catch((err) => console.warn("theme not saved to the account", err));
}

/** The theme radios: paint the current theme (wherever it changed), apply and save a pick. */
function mountThemeChoices(menu: HTMLElement): void {
  const choices = [...menu.querySelectorAll<HTMLButtonElement>("[data-theme-choice]")];
  paintTheme(choices);
  // The theme can change elsewhere too (the account page, a new device adopting the account's).
  new MutationObserver(() => paintTheme(choices)).observe(document.documentElement, {
    attributes: true,
    attributeFilter: ["data-theme"],
  });
  for (const choice of choices) {
    choice.addEventListener("click", () => {
      const theme = choice.dataset.themeChoice;
      if (isTheme(theme)) void chooseTheme(theme, choices);
    });
  }
  menu.addEventListener("keydown", (event) => {
    const target = event.target as Element;
    if ((event.key === "Enter" || event.key === " ") && target.matches("[data-theme-choice]")) {
      event.preventDefault();
      (target as HTMLButtonElement).click();
    }
  });
}

type MenuParts = ReturnType<typeof menuParts>;

function menuParts(root: HTMLElement) {
  const $ = elementsOf(root, "account menu");
  const initial = $(role("avatar-initial"));
  return {
    button: $(role("menu-button"), HTMLButtonElement),
    menu: $(role("menu")),
    initial,
    img: $(role("avatar-img"), HTMLImageElement),
    displayName: $(role("display-name")),
    channelLink: $(role("channel-link"), HTMLAnchorElement),
    userIcon: initial.firstElementChild?.cloneNode(true) ?? null,
  };
}

/** The avatar and the user's links for this session's user (the person icon signed out). */
function identityRenderer(el: MenuParts): (state: AuthState) => void {
  let shownFor: string | null = null;
  const showAvatar = (url: string) => {
    el.img.addEventListener(
      "load",
      () => {
        el.img.hidden = false;
        el.initial.hidden = true;
      },
      { once: true },
    );
    el.img.src = url;
  };
  return (state) => {
    const user = state.status === "signed-in" ? state.user : null;
    el.menu.dataset.admin = String(isStaff(user));
    el.button.setAttribute("aria-label", user ? `Account menu for @${user.handle}` : "Settings");
    if (!user) {
      shownFor = null;
      el.img.hidden = true;
      el.initial.hidden = false;
      el.initial.replaceChildren(...(el.userIcon ? [el.userIcon.cloneNode(true)] : []));
      return;
    }
    el.channelLink.href = channelHref(user.handle);
    el.displayName.textContent = user.handle;
    if (shownFor === user.id) return;
    shownFor = user.id;
    el.initial.textContent = initialOf(user.handle);
    void channelLook(user.id).then((look) => {
      if (!look || shownFor !== user.id) return;
      el.displayName.textContent = look.displayName;
      el.initial.textContent = initialOf(look.displayName);
      if (look.avatarUrl) showAvatar(look.avatarUrl);
    });
  };
}

export function mountAccountMenu(root: HTMLElement): void {
  const el = menuParts(root);
  const menuButton = mountMenuButton(el.button, el.menu);
  mountThemeChoices(el.menu);
  const render = identityRenderer(el);
  render(authSession.state());
  authSession.subscribe((state) => {
    if (menuButton.isOpen() && state.status !== "signed-in") menuButton.close(false);
    render(state);
  });
}
