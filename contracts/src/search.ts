/**
 * Search (issue 15, ADR 0021): `GET /api/search` — its query, its filters' bounds, and the
 * results with the matched words marked as ranges (never HTML: the site builds `<mark>`
 * elements from the ranges with DOM text nodes).
 */
import { z } from "zod";
import { VideoDto } from "./api.ts";

/** Longer queries answer 400 `validation_failed`; only the first SEARCH_MAX_TERMS words are searched. */
export const SEARCH_QUERY_MAX = 2000;
export const SEARCH_MAX_TERMS = 12;
export const SEARCH_PAGE_SIZE = 20;
/** Channels shown above the videos when no `type` is chosen (first page only). */
export const SEARCH_TOP_CHANNELS = 3;

export const SearchType = z.enum(["video", "channel"]);
export const SearchDuration = z.enum(["short", "medium", "long"]);
export const SearchUploaded = z.enum(["hour", "day", "week", "month", "year"]);
export const SearchSort = z.enum(["relevance", "date", "views"]);
export type SearchType = z.infer<typeof SearchType>;
export type SearchDuration = z.infer<typeof SearchDuration>;
export type SearchUploaded = z.infer<typeof SearchUploaded>;
export type SearchSort = z.infer<typeof SearchSort>;

/** Duration filters in seconds, YouTube's: short < 4 min, medium 4–20 min, long > 20 min. */
export const DURATION_BOUNDS: Record<SearchDuration, { minSec?: number; maxSec?: number }> = {
  short: { maxSec: 240 },
  medium: { minSec: 240, maxSec: 1200 },
  long: { minSec: 1200 },
};

const HOUR_MS = 3_600_000;
/** Upload-date filters: published within this long of now. */
export const UPLOADED_WINDOW_MS: Record<SearchUploaded, number> = {
  hour: HOUR_MS,
  day: 24 * HOUR_MS,
  week: 7 * 24 * HOUR_MS,
  month: 30 * 24 * HOUR_MS,
  year: 365 * 24 * HOUR_MS,
};

export const SearchQuery = z.object({
  /** Not trimmed: a trailing space ends the last word (no prefix match on it). */
  q: z
    .string()
    .max(SEARCH_QUERY_MAX, `at most ${SEARCH_QUERY_MAX} characters`)
    .refine((s) => s.trim() !== "", "type something to search for")
    .meta({ example: "bay timelapse" }),
  type: SearchType.optional(),
  duration: SearchDuration.optional(),
  uploaded: SearchUploaded.optional(),
  sort: SearchSort.default("relevance"),
  limit: z.coerce.number().int().min(1).max(50).default(SEARCH_PAGE_SIZE),
  cursor: z
    .string()
    .max(300)
    .regex(/^[A-Za-z0-9_-]+$/, "not a cursor from nextCursor")
    .optional(),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

/**
 * Text with the matched words marked: `ranges` are `[start, end)` offsets into `text` in
 * UTF-16 code units (JavaScript string indices), ascending and not overlapping.
 */
export const Highlighted = z.object({
  text: z.string(),
  ranges: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
});
export type Highlighted = z.infer<typeof Highlighted>;

export const VideoSearchHit = VideoDto.extend({
  highlight: z.object({
    /** The whole title. */
    title: Highlighted,
    /** A window of the description around the matches (`…` where cut); null when nothing matched there. */
    description: Highlighted.nullable(),
    /** A window of the caption text around the matches; null when nothing matched there. */
    captions: Highlighted.nullable(),
  }),
});
export type VideoSearchHit = z.infer<typeof VideoSearchHit>;

export const ChannelSearchHit = z.object({
  handle: z.string(),
  displayName: z.string(),
  /** The start of the channel's description (at most 200 characters). */
  description: z.string(),
  /** 88 px square; null until an avatar was uploaded. */
  avatarUrl: z.string().nullable(),
  subscriberCount: z.number().int().nonnegative(),
  /** Public, ready videos. */
  videoCount: z.number().int().nonnegative(),
  highlight: z.object({ displayName: Highlighted, handle: Highlighted }),
});
export type ChannelSearchHit = z.infer<typeof ChannelSearchHit>;

export const SearchResponse = z.object({
  videos: z.array(VideoSearchHit),
  /** With no `type`: channels whose name or handle matched (first page only, ≤ SEARCH_TOP_CHANNELS); with `type=channel`: the page. */
  channels: z.array(ChannelSearchHit),
  /** Opaque: pass as `?cursor=` (with the same q and filters) for the next page; null on the last. */
  nextCursor: z.string().nullable(),
});
export type SearchResponse = z.infer<typeof SearchResponse>;
