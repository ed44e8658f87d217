/**
 * Trending and "up next" (ADR 0022): `GET /api/trending` pages through the ranking the
 * cron last computed; `GET /api/videos/:id/related` scores a bounded candidate set per
 * request. Both list only what anyone may find (public, ready, not taken down).
 */
import { z } from "zod";
import { VideoDto } from "./api.ts";

export const TRENDING_PAGE_SIZE = 24;
export const RELATED_DEFAULT = 12;
export const RELATED_MAX = 24;

/**
 * Opaque keyset cursor: the ranking's generation and the rank of the previous page's last
 * video (a bare rank is read in the newest ranking).
 */
const TRENDING_CURSOR = /^(?:\d{1,15}\.)?[1-9]\d{0,6}$/;

export const TrendingQuery = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(TRENDING_PAGE_SIZE),
  /** The previous page's `nextCursor`. */
  cursor: z.string().regex(TRENDING_CURSOR, "not a cursor from nextCursor").optional(),
});
export type TrendingQuery = z.infer<typeof TrendingQuery>;

export const TrendingResponse = z.object({
  videos: z.array(VideoDto),
  /** Opaque: pass as `?cursor=` for the next page; null when this page was the last. */
  nextCursor: z.string().nullable(),
  /** When the cron computed this ranking (ISO time); null before its first run. */
  computedAt: z.string().nullable(),
});
export type TrendingResponse = z.infer<typeof TrendingResponse>;

export const RelatedQuery = z.object({
  limit: z.coerce.number().int().min(1).max(RELATED_MAX).default(RELATED_DEFAULT),
});
export type RelatedQuery = z.infer<typeof RelatedQuery>;

export const RelatedResponse = z.object({ videos: z.array(VideoDto) });
export type RelatedResponse = z.infer<typeof RelatedResponse>;
