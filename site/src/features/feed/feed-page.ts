/**
 * `/feed` (ADR 0017): new public videos from the caller's subscriptions, newest first, from
 * `GET /api/feed`; "Load more" follows `nextCursor`; an empty feed suggests channels to find.
 */
import { api } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, requireElement, role } from "../../lib/dom.ts";
import { videoCard } from "../../lib/video-card.ts";

type FeedState = "loading" | "ready" | "empty" | "error";

export function mountFeedPage(root: HTMLElement): void {
  const $ = elementsOf(root, "feed page");
  const grid = $(role("grid"), HTMLUListElement);
  const empty = $(role("empty"));
  const errorBox = $(role("error"));
  const errorMessage = $(role("error-message"));
  const retry = $(role("retry"), HTMLButtonElement);
  const moreWrap = $(role("more-wrap"));
  const more = $(role("more"), HTMLButtonElement);
  const template = requireElement(document, "#feed-card-template", HTMLTemplateElement, "feed page");
  const skeletons = grid.innerHTML;
  let cursor: string | null = null;
  let started = false;

  const setState = (state: FeedState) => {
    root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "loading"));
    grid.hidden = state === "empty" || state === "error";
    empty.hidden = state !== "empty";
    errorBox.hidden = state !== "error";
  };

  const page = async (first: boolean) => {
    if (first) {
      setState("loading");
      grid.innerHTML = skeletons;
    }
    more.disabled = true;
    try {
      const { videos, nextCursor } = await api.feed(first ? null : cursor);
      cursor = nextCursor;
      const cards = videos.map((v) =>
        videoCard(template, v, { label: "feed card template", withChannel: true }),
      );
      if (first) grid.replaceChildren(...cards);
      else grid.append(...cards);
      setState(grid.children.length ? "ready" : "empty");
    } catch (err) {
      errorMessage.textContent = err instanceof Error ? err.message : String(err);
      if (first) setState("error");
    } finally {
      more.disabled = false;
      moreWrap.hidden = !cursor;
    }
  };

  retry.addEventListener("click", () => void page(true));
  more.addEventListener("click", () => void page(false));
  const start = (status: string) => {
    if (status !== "signed-in" || started) return;
    started = true;
    void page(true);
  };
  start(authSession.state().status);
  authSession.subscribe((state) => start(state.status));
}
