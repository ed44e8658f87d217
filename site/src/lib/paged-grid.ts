/**
 * The paged grid of video cards that home, trending and the subscriptions feed share: the
 * server may have rendered the first page (then `data-next-cursor` carries on from it);
 * otherwise the first page is asked for here with the skeleton cards meanwhile. "Load more"
 * appends the next page and moves focus to its first card; the empty state and an error
 * with "Try again" are roles inside the root.
 */
import type { VideoDto } from "@streamline/contracts";
import { elementsOf, requireElement, role } from "./dom.ts";
import { videoCard } from "./video-card.ts";

type GridState = "loading" | "ready" | "empty" | "error";

export interface GridPage {
  videos: VideoDto[];
  nextCursor: string | null;
}

export interface PagedGridOptions<P extends GridPage> {
  /** Names the page in "missing element" errors. */
  label: string;
  /** The card `<template>`'s selector in the document. */
  template: string;
  fetchPage(cursor: string | null): Promise<P>;
  /** Called with each page as it arrives (e.g. trending's "updated" line). */
  onPage?(page: P): void;
}

export interface PagedGrid {
  /** The first page again (`true`) or the next one. */
  load(first: boolean): Promise<void>;
}

export function mountPagedGrid<P extends GridPage>(
  root: HTMLElement,
  options: PagedGridOptions<P>,
): PagedGrid {
  const $ = elementsOf(root, options.label);
  const grid = $(role("grid"), HTMLUListElement);
  const empty = $(role("empty"));
  const errorBox = $(role("error"));
  const errorMessage = $(role("error-message"));
  const moreWrap = $(role("more-wrap"));
  const more = $(role("more"), HTMLButtonElement);
  const template = requireElement(document, options.template, HTMLTemplateElement, options.label);
  const skeletons = grid.innerHTML;
  let cursor: string | null = root.dataset.nextCursor ?? null;

  const setState = (state: GridState) => {
    root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "loading"));
    grid.hidden = state === "empty" || state === "error";
    empty.hidden = state !== "empty";
    errorBox.hidden = state !== "error";
  };

  const append = (page: P, first: boolean) => {
    const offset = first ? 0 : grid.children.length;
    const cards = page.videos.map((video, i) =>
      videoCard(template, video, { label: `${options.label} card`, withChannel: true, index: offset + i }),
    );
    const firstNew = (cards[0] as DocumentFragment | undefined)?.querySelector("a");
    if (first) grid.replaceChildren(...cards);
    else grid.append(...cards);
    setState(grid.children.length ? "ready" : "empty");
    // The reader carries on at the first new card (the button may be gone: that was the last page).
    if (!first) firstNew?.focus({ preventScroll: true });
  };

  const load = async (first: boolean) => {
    if (first) {
      setState("loading");
      grid.innerHTML = skeletons;
    }
    more.disabled = true;
    more.textContent = "Loading…";
    try {
      const page = await options.fetchPage(first ? null : cursor);
      cursor = page.nextCursor;
      options.onPage?.(page);
      append(page, first);
    } catch (err) {
      errorMessage.textContent = err instanceof Error ? err.message : String(err);
      if (first) setState("error");
    } finally {
      more.disabled = false;
      more.textContent = "Load more";
      moreWrap.hidden = !cursor;
    }
  };

  $(role("retry"), HTMLButtonElement).addEventListener("click", () => void load(true));
  more.addEventListener("click", () => void load(false));
  return { load };
}
