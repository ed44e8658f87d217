/**
 * `/feed` (ADR 0017): new public videos from the caller's subscriptions, newest first, from
 * `GET /api/feed` — the shared paged grid, started once the visitor is known to be signed
 * in; an empty feed suggests channels to find.
 */
import { api } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { mountPagedGrid } from "../../lib/paged-grid.ts";

export function mountFeedPage(root: HTMLElement): void {
  const grid = mountPagedGrid(root, {
    label: "feed page",
    template: "#feed-card-template",
    fetchPage: (cursor) => api.feed(cursor),
  });
  let started = false;
  const start = (status: string) => {
    if (status !== "signed-in" || started) return;
    started = true;
    void grid.load(true);
  };
  start(authSession.state().status);
  authSession.subscribe((state) => start(state.status));
}
