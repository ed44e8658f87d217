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
  const [rows, computedAt] = await Promise.all([
    repo.page(q.cursor ? Number(q.cursor) : 0, q.limit),
    repo.computedAt(),
  ]);
  const last = rows.length === q.limit ? rows.at(-1) : undefined;
  return {
    videos: await videoDtos(services, rows, userId),
    nextCursor: last ? String(last.rank) : null,
    computedAt: computedAt === null ? null : new Date(computedAt).toISOString(),
  };
}
