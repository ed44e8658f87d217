/**
 * `/trending` (ADR 0022), the parts that need no DOM: the first page asked of the edge API
 * on the server (over the site Worker's `API` binding; null when it could not answer, and
 * the browser then asks itself), and the "updated …" line under the heading.
 */
import type { TrendingResponse } from "@streamline/contracts";
import { formatRelativeTime } from "../../lib/format.ts";

/** Six rows of four at 1280 px. */
export const TRENDING_PAGE_SIZE = 24;

type FetchLike = (request: Request) => Promise<Response>;

export async function loadFirstTrending(
  fetcher: FetchLike,
  origin: string,
  limit: number = TRENDING_PAGE_SIZE,
): Promise<TrendingResponse | null> {
  try {
    const res = await fetcher(
      new Request(`${origin}/api/trending?limit=${limit}`, { headers: { accept: "application/json" } }),
    );
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    const body = (await res.json()) as Partial<TrendingResponse>;
    if (!Array.isArray(body.videos)) return null;
    return { videos: body.videos, nextCursor: body.nextCursor ?? null, computedAt: body.computedAt ?? null };
  } catch {
    return null;
  }
}

/** "Updated 4 minutes ago" — or nothing before the first computation. */
export function updatedLine(computedAt: string | null, now = Date.now()): string {
  if (!computedAt) return "";
  const ago = formatRelativeTime(computedAt, now);
  return ago ? `Updated ${ago}` : "";
}
