/** `/account`'s Subscriptions panel (ADR 0017): the channels the caller subscribes to, with Unsubscribe and "Show more". */
import { api, type SubscriptionsResponse } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { avatarElement, channelHref } from "../../lib/channel-chip.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { subscriberText } from "./subscribe-button.ts";

type Item = SubscriptionsResponse["subscriptions"][number];

function row(item: Item, onUnsubscribe: (button: HTMLButtonElement) => void): HTMLLIElement {
  const li = document.createElement("li");
  li.className = "subscription";
  li.dataset.testid = "subscription";
  li.dataset.handle = item.channel.handle;
  const link = document.createElement("a");
  link.className = "subscription-channel";
  link.href = channelHref(item.channel.handle);
  const name = document.createElement("span");
  name.className = "subscription-name";
  name.textContent = item.channel.displayName;
  const count = document.createElement("span");
  count.className = "muted subscription-count";
  count.textContent = `@${item.channel.handle} · ${subscriberText(item.channel.subscriberCount)}`;
  const text = document.createElement("span");
  text.className = "subscription-text";
  text.append(name, count);
  link.append(avatarElement(document, item.channel, "md"), text);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-secondary";
  button.textContent = "Unsubscribe";
  button.dataset.testid = "unsubscribe";
  button.addEventListener("click", () => onUnsubscribe(button));
  li.append(link, button);
  return li;
}

export function mountSubscriptionsSection(root: HTMLElement): void {
  const $ = elementsOf(root, "subscriptions section");
  const list = $(role("list"), HTMLUListElement);
  const empty = $(role("empty"));
  const more = $(role("more"), HTMLButtonElement);
  let cursor: string | null = null;
  let started = false;

  const unsubscribe = async (handle: string, li: HTMLLIElement, button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      await api.subscribe(handle, false);
      li.remove();
      empty.hidden = list.children.length > 0;
    } catch (err) {
      button.disabled = false;
      button.title = err instanceof Error ? err.message : String(err);
    }
  };

  const load = async (first: boolean) => {
    more.disabled = true;
    try {
      const page = await api.mySubscriptions(first ? null : cursor);
      cursor = page.nextCursor;
      list.append(
        ...page.subscriptions.map((item) => {
          const li = row(item, (button) => void unsubscribe(item.channel.handle, li, button));
          return li;
        }),
      );
      root.dataset.state = "ready";
    } catch {
      root.dataset.state = "error";
    } finally {
      empty.hidden = list.children.length > 0;
      more.hidden = !cursor;
      more.disabled = false;
    }
  };

  more.addEventListener("click", () => void load(false));
  const start = (status: string) => {
    if (status !== "signed-in" || started) return;
    started = true;
    void load(true);
  };
  start(authSession.state().status);
  authSession.subscribe((state) => start(state.status));
}
