/**
 * `/trending` in the browser (ADR 0022): the server rendered the first page of the ranking;
 * "Load more" appends the next (`GET /api/trending?cursor=`) — the shared paged grid, plus
 * the "updated … ago" line from each page. When the server could not render it, the first
 * page is asked for here.
 */
import { api } from "../../lib/api.ts";
import { role } from "../../lib/dom.ts";
import { mountPagedGrid } from "../../lib/paged-grid.ts";
import { updatedLine } from "./trending-data.ts";

export function mountTrendingPage(root: HTMLElement): void {
  const updated = root.querySelector<HTMLElement>(role("updated"));
  const grid = mountPagedGrid(root, {
    label: "trending page",
    template: "#trending-card-template",
    fetchPage: (cursor) => api.trending(cursor),
    onPage: (page) => {
      if (updated) updated.textContent = updatedLine(page.computedAt);
    },
  });
  if (root.dataset.state === "loading") void grid.load(true);
}
