/**
 * The home page (`/`) in the browser: the server rendered the first page of cards; "Load
 * more" appends the next page (`GET /api/videos?cursor=`, keyset) — the shared paged grid.
 * When the server could not render them, the first page is asked for here.
 */
import { api } from "../../lib/api.ts";
import { mountPagedGrid } from "../../lib/paged-grid.ts";

export function mountHomePage(root: HTMLElement): void {
  const pageSize = Number(root.dataset.pageSize) || 24;
  const grid = mountPagedGrid(root, {
    label: "home page",
    template: "#video-card-template",
    fetchPage: (cursor) => api.listVideos(pageSize, undefined, cursor),
  });
  if (root.dataset.state === "loading") void grid.load(true);
}
