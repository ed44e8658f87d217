/**
 * The Subscribe button and subscriber count (ADR 0017) on `/c/:handle` and the watch page.
 * The handle comes from `data-handle`, or (watch page) from the channel chip that appears in
 * the element named by `data-channel-from`. The channel's own owner sees only the count;
 * an anonymous click goes to the login page and back.
 */
import { api } from "../../lib/api.ts";
import { authSession, loginUrl } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";

export function subscriberText(n: number): string {
  return `${n.toLocaleString("en")} ${n === 1 ? "subscriber" : "subscribers"}`;
}

function handleFromChip(source: Element): string | null {
  const link = source.querySelector<HTMLAnchorElement>('a[href^="/c/"]');
  return link ? decodeURIComponent(new URL(link.href).pathname.slice(3)) : null;
}

function whenHandleKnown(root: HTMLElement, ready: (handle: string) => void) {
  if (root.dataset.handle) return ready(root.dataset.handle);
  const source = root.dataset.channelFrom ? document.querySelector(root.dataset.channelFrom) : null;
  if (!source) return;
  const check = () => {
    const handle = handleFromChip(source);
    if (!handle || handle === root.dataset.handle) return;
    root.dataset.handle = handle;
    ready(handle);
  };
  new MutationObserver(check).observe(source, { childList: true, subtree: true });
  check();
}

export function mountSubscribeButton(root: HTMLElement): void {
  const $ = elementsOf(root, "subscribe button");
  const button = $(role("toggle"), HTMLButtonElement);
  const target = root.dataset.countTarget
    ? document.querySelector<HTMLElement>(root.dataset.countTarget)
    : null;
  const count = target ?? $(role("count"));
  let subscribed = false;

  const render = (state: { subscribed: boolean; subscriberCount: number }, own = false) => {
    subscribed = state.subscribed;
    root.dataset.state = subscribed ? "subscribed" : "not-subscribed";
    button.textContent = subscribed ? "Subscribed" : "Subscribe";
    button.setAttribute("aria-pressed", String(subscribed));
    button.hidden = own;
    count.textContent = subscriberText(state.subscriberCount);
    root.hidden = false;
  };

  const load = async (handle: string) => {
    const { channel, subscribed: mine } = await api.channel(handle);
    render(
      { subscribed: mine, subscriberCount: channel.subscriberCount },
      authSession.state().user?.handle === handle,
    );
  };

  whenHandleKnown(root, (handle) => {
    void load(handle).catch(() => {});
    authSession.subscribe((state) => {
      if (state.status !== "unknown") void load(handle).catch(() => {});
    });
    button.onclick = async () => {
      if (authSession.state().status !== "signed-in") {
        location.assign(loginUrl(`${location.pathname}${location.search}`));
        return;
      }
      button.disabled = true;
      try {
        render(await api.subscribe(handle, !subscribed));
      } catch (err) {
        button.title = err instanceof Error ? err.message : String(err);
      } finally {
        button.disabled = false;
      }
    };
  });
}
