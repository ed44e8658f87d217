/**
 * Trending (ADR 0022): the cron recomputes the ranking into D1; `GET /api/trending` pages
 * through it for any caller, as VideoDtos, with when it was computed.
 */
import type { TrendingQuery, TrendingResponse } from "@streamline/contracts";
import type { Services } from "../../lib/services.ts";
import { videoDtos } from "../videos/video-list.ts";
import { type RecomputeResult, TrendingRepo } from "./trending.repo.ts";

/** The cron's step: the ranking as of `now`, and hourly views past the window pruned. */
export async function refreshTrending(
  services: Pick<Services, "db">,
  now = Date.now(),
): Promise<RecomputeResult & { ms: number }> {
  const started = Date.now();
  const result = await new TrendingRepo(services.db).recompute(now);
  return { ...result, ms: Date.now() - started };
}

export async function trendingPage(
  services: Pick<Services, "db" | "config">,
  q: TrendingQuery,
  userId: string | null | undefined,
): Promise<TrendingResponse> {
  const repo = new TrendingRepo(services.db);
  const cursor = parseCursor(q.cursor);
  const at = await repo.generation(cursor.at);
  if (at === null) return { videos: [], nextCursor: null, computedAt: null };
  const rows = await repo.page(at, cursor.rank, q.limit);
  const last = rows.length === q.limit ? rows.at(-1) : undefined;
  return {
    videos: await videoDtos(services, rows, userId),
    nextCursor: last ? `${at}.${last.rank}` : null,
    computedAt: new Date(at).toISOString(),
  };
}

/**
 * `<generation>.<rank>`: the ranking the first page read (its `computed_at`) and the last
 * rank shown, so the next page continues in the same ranking even after the cron wrote a
 * newer one. A bare `<rank>` (cursors from before generations) reads the newest.
 */
function parseCursor(cursor: string | undefined): { at?: number; rank: number } {
  if (!cursor) return { rank: 0 };
  const [first, second] = cursor.split(".");
  return second === undefined ? { rank: Number(first) } : { at: Number(first), rank: Number(second) };
}
