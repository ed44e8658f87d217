/**
 * The home page (`/`) in the browser: the server rendered the first page of cards; "Load
 * more" appends the next page (`GET /api/videos?cursor=`, keyset) from the card template.
 * When the server could not render them, the first page is asked for here, with skeleton
 * cards meanwhile, the empty state, and a retry on errors.
 */
import { api } from "../../lib/api.ts";
import { elementsOf, requireElement, role } from "../../lib/dom.ts";
import { videoCard } from "../../lib/video-card.ts";

type HomeState = "loading" | "ready" | "empty" | "error";

export function mountHomePage(root: HTMLElement): void {
  const $ = elementsOf(root, "home page");
  const grid = $(role("grid"), HTMLUListElement);
  const empty = $(role("empty"));
  const errorBox = $(role("error"));
  const errorMessage = $(role("error-message"));
  const retry = $(role("retry"), HTMLButtonElement);
  const moreWrap = $(role("more-wrap"));
  const more = $(role("more"), HTMLButtonElement);
  const template = requireElement(document, "#video-card-template", HTMLTemplateElement, "home page");
  const pageSize = Number(root.dataset.pageSize) || 24;
  const skeletons = grid.innerHTML;
  let cursor: string | null = root.dataset.nextCursor ?? null;

  const setState = (state: HomeState) => {
    root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "loading"));
    grid.hidden = state === "empty" || state === "error";
    empty.hidden = state !== "empty";
    errorBox.hidden = state !== "error";
  };

  const load = async (first: boolean) => {
    if (first) {
      setState("loading");
      grid.innerHTML = skeletons;
    }
    more.disabled = true;
    more.textContent = "Loading…";
    try {
      const { videos, nextCursor } = await api.listVideos(pageSize, undefined, first ? null : cursor);
      cursor = nextCursor;
      const offset = first ? 0 : grid.children.length;
      const cards = videos.map((video, i) =>
        videoCard(template, video, { label: "video card template", withChannel: true, index: offset + i }),
      );
      const firstNew = (cards[0] as DocumentFragment | undefined)?.querySelector("a");
      if (first) grid.replaceChildren(...cards);
      else grid.append(...cards);
      setState(grid.children.length ? "ready" : "empty");
      // The reader carries on at the first new card (the button may be gone: that was the last page).
      if (!first) firstNew?.focus({ preventScroll: true });
    } catch (err) {
      errorMessage.textContent = err instanceof Error ? err.message : String(err);
      if (first) setState("error");
    } finally {
      more.disabled = false;
      more.textContent = "Load more";
      moreWrap.hidden = !cursor;
    }
  };

  retry.addEventListener("click", () => void load(true));
  more.addEventListener("click", () => void load(false));
  if (root.dataset.state === "loading") void load(true);
}
