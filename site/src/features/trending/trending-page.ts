/**
 * `/trending` in the browser (ADR 0022): the server rendered the first page of the ranking;
 * "Load more" appends the next (`GET /api/trending?cursor=`) from the card template. When
 * the server could not render it, the first page is asked for here, with skeleton cards
 * meanwhile, the empty state, and a retry on errors.
 */
import { api } from "../../lib/api.ts";
import { elementsOf, requireElement, role } from "../../lib/dom.ts";
import { videoCard } from "../../lib/video-card.ts";
import { updatedLine } from "./trending-data.ts";

type TrendingState = "loading" | "ready" | "empty" | "error";

export function mountTrendingPage(root: HTMLElement): void {
  const $ = elementsOf(root, "trending page");
  const grid = $(role("grid"), HTMLUListElement);
  const empty = $(role("empty"));
  const errorBox = $(role("error"));
  const errorMessage = $(role("error-message"));
  const retry = $(role("retry"), HTMLButtonElement);
  const moreWrap = $(role("more-wrap"));
  const more = $(role("more"), HTMLButtonElement);
  const updated = $(role("updated"));
  const template = requireElement(document, "#trending-card-template", HTMLTemplateElement, "trending page");
  const skeletons = grid.innerHTML;
  let cursor: string | null = root.dataset.nextCursor ?? null;

  const setState = (state: TrendingState) => {
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
      const page = await api.trending(first ? null : cursor);
      cursor = page.nextCursor;
      updated.textContent = updatedLine(page.computedAt);
      const offset = first ? 0 : grid.children.length;
      const cards = page.videos.map((video, i) =>
        videoCard(template, video, { label: "trending card template", withChannel: true, index: offset + i }),
      );
      const firstNew = (cards[0] as DocumentFragment | undefined)?.querySelector("a");
      if (first) grid.replaceChildren(...cards);
      else grid.append(...cards);
      setState(grid.children.length ? "ready" : "empty");
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
