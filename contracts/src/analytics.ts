/**
 * Creator analytics (ADR 0023): where views come from (recorded with the view heartbeat),
 * the device class (from the user agent, on the edge), and the owner's analytics reports,
 * answered from the daily roll-ups only.
 */
import { z } from "zod";

/** Where a view came from, decided by the player from the same-origin referrer's path. */
export const TRAFFIC_SOURCES = [
  "direct",
  "search",
  "embed",
  "channel",
  "up_next",
  "feed",
  "browse",
  "external",
] as const;
export const TrafficSource = z.enum(TRAFFIC_SOURCES);
export type TrafficSource = z.infer<typeof TrafficSource>;

/** A coarse device class from the user agent. */
export const DEVICE_CLASSES = ["phone", "tablet", "desktop", "tv"] as const;
export const DeviceClass = z.enum(DEVICE_CLASSES);
export type DeviceClass = z.infer<typeof DeviceClass>;

/** The longest range one report covers, in days (both ends included). */
export const ANALYTICS_MAX_DAYS = 365;
export const ANALYTICS_PRESETS = [7, 28, 90] as const;

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a UTC day, YYYY-MM-DD")
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    "not a calendar day",
  );

/** Days from `from` to `to` (0 for the same day). */
export const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** `from`/`to`: UTC days, both included; default the last 28 days ending today. */
export const AnalyticsQuery = z
  .object({
    from: Day.optional(),
    to: Day.optional(),
  })
  .refine((q) => !(q.from && q.to) || q.from <= q.to, { message: "from is after to", path: ["from"] })
  .refine((q) => !(q.from && q.to) || daysBetween(q.from, q.to) < ANALYTICS_MAX_DAYS, {
    message: `at most ${ANALYTICS_MAX_DAYS} days`,
    path: ["to"],
  });
export type AnalyticsQuery = z.infer<typeof AnalyticsQuery>;

export const AnalyticsDay = z.object({
  day: z.string(),
  views: z.number().int().nonnegative(),
  watchSec: z.number().nonnegative(),
  likes: z.number().int().nonnegative(),
  comments: z.number().int().nonnegative(),
  /** Channel reports only (0 in a video's). */
  subscribersGained: z.number().int().nonnegative(),
  subscribersLost: z.number().int().nonnegative(),
});
export type AnalyticsDay = z.infer<typeof AnalyticsDay>;

export const AnalyticsTotals = z.object({
  views: z.number().int().nonnegative(),
  watchSec: z.number().nonnegative(),
  /** Watch time per view (0 without views). */
  avgViewDurationSec: z.number().nonnegative(),
  /** Average share of the video watched per view, 0–100 (null when no duration is known). */
  avgPercentViewed: z.number().nonnegative().nullable(),
  likes: z.number().int().nonnegative(),
  comments: z.number().int().nonnegative(),
  subscribersGained: z.number().int().nonnegative(),
  subscribersLost: z.number().int().nonnegative(),
});
export type AnalyticsTotals = z.infer<typeof AnalyticsTotals>;

export const AnalyticsSlice = z.object({
  key: z.string(),
  views: z.number().int().nonnegative(),
  watchSec: z.number().nonnegative(),
});
export type AnalyticsSlice = z.infer<typeof AnalyticsSlice>;

export const AnalyticsTopVideo = z.object({
  id: z.string(),
  title: z.string(),
  views: z.number().int().nonnegative(),
  watchSec: z.number().nonnegative(),
  avgViewDurationSec: z.number().nonnegative(),
  avgPercentViewed: z.number().nonnegative().nullable(),
});
export type AnalyticsTopVideo = z.infer<typeof AnalyticsTopVideo>;

const Report = {
  from: z.string(),
  to: z.string(),
  /** One row per day of the range, oldest first (days without activity are zeros). */
  days: z.array(AnalyticsDay),
  totals: AnalyticsTotals,
  /** Every source / device class, most views first (zeros included). */
  sources: z.array(AnalyticsSlice),
  devices: z.array(AnalyticsSlice),
};

export const ChannelAnalytics = z.object({
  ...Report,
  /** Up to 10 videos with the most views in the range. */
  topVideos: z.array(AnalyticsTopVideo),
});
export type ChannelAnalytics = z.infer<typeof ChannelAnalytics>;

export const RetentionPoint = z.object({
  /** 0–99: the position as a percentage of the duration. */
  bucket: z.number().int().min(0).max(99),
  samples: z.number().int().nonnegative(),
  /** Samples relative to the most watched bucket, 0–100. */
  relative: z.number().nonnegative().max(100),
});
export type RetentionPoint = z.infer<typeof RetentionPoint>;

export const VideoAnalytics = z.object({
  ...Report,
  video: z.object({ id: z.string(), title: z.string(), durationSec: z.number().nullable() }),
  /** Audience retention over the video's whole life (100 buckets; empty before any sample). */
  retention: z.array(RetentionPoint),
});
export type VideoAnalytics = z.infer<typeof VideoAnalytics>;
