/**
 * The owner's analytics reports (ADR 0023), shaped from the roll-ups: one row per day of the
 * range (zeros filled in), totals, sources and devices with every class present, top videos,
 * and a video's retention curve.
 */
import {
  ANALYTICS_MAX_DAYS,
  type AnalyticsDay,
  type AnalyticsQuery,
  type AnalyticsSlice,
  type AnalyticsTotals,
  type ChannelAnalytics,
  DEVICE_CLASSES,
  daysBetween,
  type RetentionPoint,
  TRAFFIC_SOURCES,
  type VideoAnalytics,
} from "@streamline/contracts";
import { AppError, notFound } from "../../lib/errors.ts";
import type { Services } from "../../lib/services.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import {
  AnalyticsRepo,
  type DayRow,
  type RetentionRow,
  type SliceRow,
  type VideoSumRow,
} from "./analytics.repo.ts";

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDays = (day: string, n: number) => dayOf(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);
export const DEFAULT_RANGE_DAYS = 28;
export const TOP_VIDEOS = 10;

/** `from`/`to` with the defaults (the last 28 days ending today), at most 365 days. */
export function resolveRange(q: AnalyticsQuery, now = Date.now()): { from: string; to: string } {
  const to = q.to ?? (q.from ? minDay(addDays(q.from, DEFAULT_RANGE_DAYS - 1), dayOf(now)) : dayOf(now));
  const from = q.from ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  if (from > to) throw new AppError(400, "invalid_range", "from is after to");
  if (daysBetween(from, to) >= ANALYTICS_MAX_DAYS)
    throw new AppError(400, "invalid_range", `a report covers at most ${ANALYTICS_MAX_DAYS} days`);
  return { from, to };
}

const minDay = (a: string, b: string) => (a < b ? a : b);

/** Every day of the range, oldest first, with the rows' sums (a day may have several rows). */
export function fillDays(rows: DayRow[], from: string, to: string): AnalyticsDay[] {
  const byDay = new Map<string, AnalyticsDay>();
  for (let d = from; d <= to; d = addDays(d, 1)) {
    byDay.set(d, {
      day: d,
      views: 0,
      watchSec: 0,
      likes: 0,
      comments: 0,
      subscribersGained: 0,
      subscribersLost: 0,
    });
  }
  for (const r of rows) {
    const day = byDay.get(r.day);
    if (!day) continue;
    day.views += Number(r.views);
    day.watchSec += Number(r.watch_sec);
    day.likes += Number(r.likes);
    day.comments += Number(r.comments);
    day.subscribersGained += Number(r.subs_gained);
    day.subscribersLost += Number(r.subs_lost);
  }
  return [...byDay.values()];
}

function slices(rows: SliceRow[], dim: SliceRow["dim"], keys: readonly string[]): AnalyticsSlice[] {
  const out = keys.map((key) => ({ key, views: 0, watchSec: 0 }));
  for (const r of rows) {
    const slice = r.dim === dim ? out.find((s) => s.key === r.key) : undefined;
    if (!slice) continue;
    slice.views += Number(r.views);
    slice.watchSec += Number(r.watch_sec);
  }
  return out.sort((a, b) => b.views - a.views || b.watchSec - a.watchSec);
}

/** Watch time per view as a share of the duration, 0–100 (capped: rewatching parts can exceed it). */
const percentViewed = (watchSec: number, views: number, durationSec: number | null) =>
  views > 0 && durationSec && durationSec > 0 ? Math.min(100, (watchSec / views / durationSec) * 100) : null;

function totals(days: AnalyticsDay[], avgPercentViewed: number | null): AnalyticsTotals {
  const sum = (f: (d: AnalyticsDay) => number) => days.reduce((n, d) => n + f(d), 0);
  const views = sum((d) => d.views);
  const watchSec = sum((d) => d.watchSec);
  return {
    views,
    watchSec,
    avgViewDurationSec: views > 0 ? watchSec / views : 0,
    avgPercentViewed,
    likes: sum((d) => d.likes),
    comments: sum((d) => d.comments),
    subscribersGained: sum((d) => d.subscribersGained),
    subscribersLost: sum((d) => d.subscribersLost),
  };
}

/** The channel's average % viewed: each video's watch time over its duration, per view. */
function channelPercent(videos: VideoSumRow[]): number | null {
  let fullViews = 0;
  let views = 0;
  for (const v of videos) {
    if (!v.duration_sec || v.duration_sec <= 0 || v.views <= 0) continue;
    fullViews += Math.min(Number(v.watch_sec) / v.duration_sec, Number(v.views));
    views += Number(v.views);
  }
  return views > 0 ? (fullViews / views) * 100 : null;
}

export function retentionCurve(rows: RetentionRow[]): RetentionPoint[] {
  const max = Math.max(0, ...rows.map((r) => Number(r.samples)));
  if (max === 0) return [];
  const byBucket = new Map(rows.map((r) => [Number(r.bucket), Number(r.samples)]));
  return Array.from({ length: 100 }, (_, bucket) => {
    const samples = byBucket.get(bucket) ?? 0;
    return { bucket, samples, relative: Math.round((samples / max) * 1000) / 10 };
  });
}

export async function channelAnalytics(
  s: Services,
  channelId: string,
  q: AnalyticsQuery,
): Promise<ChannelAnalytics> {
  const { from, to } = resolveRange(q);
  const rows = await new AnalyticsRepo(s.env.DB).channel(channelId, from, to);
  rows.videos = rows.videos.filter((v) => v.views > 0 || v.watch_sec > 0);
  const days = fillDays(rows.days, from, to);
  const topVideos = [...rows.videos]
    .sort((a, b) => b.views - a.views || b.watch_sec - a.watch_sec)
    .slice(0, TOP_VIDEOS)
    .map((v) => ({
      id: v.id,
      title: v.title,
      views: Number(v.views),
      watchSec: Number(v.watch_sec),
      avgViewDurationSec: v.views > 0 ? v.watch_sec / v.views : 0,
      avgPercentViewed: percentViewed(v.watch_sec, v.views, v.duration_sec),
    }));
  return {
    from,
    to,
    days,
    totals: totals(days, channelPercent(rows.videos)),
    sources: slices(rows.slices, "source", TRAFFIC_SOURCES),
    devices: slices(rows.slices, "device", DEVICE_CLASSES),
    topVideos,
  };
}

/** A video's report, for its owner only (anyone else: 404). */
export async function videoAnalytics(
  s: Services,
  userId: string,
  videoId: string,
  q: AnalyticsQuery,
): Promise<VideoAnalytics> {
  const video = await new VideosRepo(s.db).find(videoId);
  if (!video || video.ownerId !== userId) throw notFound();
  const { from, to } = resolveRange(q);
  const rows = await new AnalyticsRepo(s.env.DB).video(videoId, from, to);
  const days = fillDays(rows.days, from, to);
  const sum = totals(days, null);
  return {
    from,
    to,
    video: { id: video.id, title: video.title, durationSec: video.durationSec },
    days,
    totals: { ...sum, avgPercentViewed: percentViewed(sum.watchSec, sum.views, video.durationSec) },
    sources: slices(rows.slices, "source", TRAFFIC_SOURCES),
    devices: slices(rows.slices, "device", DEVICE_CLASSES),
    retention: retentionCurve(rows.retention),
  };
}
