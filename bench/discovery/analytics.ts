/**
 * Creator analytics (ADR 0023): the owner's channel report for a channel of 1,000 videos with
 * 90 days of roll-ups (90,000 `video_stats_daily` rows, 270,000 `video_traffic_daily` rows, the
 * channel's daily and traffic roll-ups), timed on a fresh local D1 through wrangler's binding.
 * The report is the three queries `GET /api/me/analytics` sends (channel days, sources and
 * devices, per-video sums for the top videos and average % viewed), plus a video's report.
 * Baseline in the same run: the same channel numbers summed from the per-video rows (no
 * channel roll-up), what the report would cost without the cron's channel tables.
 */
import { SQL } from "../../edge/src/features/analytics/analytics.repo.ts";
import { appendResultsRow, load1, round } from "../lib/results.ts";
import { type D1Like, freshLocalD1, inserts, sqlText, timed, userRows } from "./local-d1.ts";
import type { Section } from "./section.ts";

const VIDEOS = 1000;
const DAYS = 90;
const RUNS = Number(process.env.ANALYTICS_RUNS ?? 200);
const CHANNEL = "user_bench_analytics";
const DAY_MS = 86_400_000;
const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
const days = Array.from({ length: DAYS }, (_, i) =>
  new Date(today - (DAYS - 1 - i) * DAY_MS).toISOString().slice(0, 10),
);
const videoId = (n: number) => `v_${String(n).padStart(16, "0")}`;
const SOURCES = ["search", "direct", "up_next", "channel", "browse", "external", "embed", "feed"];
const DEVICES = ["phone", "desktop", "tablet", "tv"];

/** Deterministic pseudo-random counts (the same figures every run). */
const count = (v: number, d: number, salt: number) => ((v * 7919 + d * 104729 + salt * 13) % 50) + 1;

function seed(): string[] {
  const now = Date.now();
  const videos = Array.from({ length: VIDEOS }, (_, v) => [
    sqlText(videoId(v)),
    sqlText(CHANNEL),
    sqlText(`Bench video ${v}`),
    "'ready'",
    "'clip.mp4'",
    "'video/mp4'",
    "1000",
    "8388608",
    "1",
    String(now),
    String(60 + (v % 20) * 30),
    String(now - v * 1000),
  ]);
  const stats: string[][] = [];
  const traffic: string[][] = [];
  for (let v = 0; v < VIDEOS; v++) {
    days.forEach((day, d) => {
      const views = count(v, d, 0);
      stats.push([sqlText(videoId(v)), sqlText(day), String(views), String(views * 95)]);
      const slices: [string, string][] = [
        ["source", SOURCES[(v + d) % SOURCES.length]!],
        ["source", SOURCES[(v + d + 3) % SOURCES.length]!],
        ["device", DEVICES[(v + d) % DEVICES.length]!],
      ];
      for (const [dim, key] of slices)
        traffic.push([
          sqlText(videoId(v)),
          sqlText(day),
          sqlText(dim),
          sqlText(key),
          String(views),
          String(views * 95),
        ]);
    });
  }
  return [
    ...userRows([CHANNEL], "analytics"),
    ...inserts(
      "videos",
      [
        "id",
        "owner_id",
        "title",
        "status",
        "filename",
        "content_type",
        "size",
        "part_size",
        "part_count",
        "upload_expires_at",
        "duration_sec",
        "created_at",
      ],
      videos,
    ),
    ...inserts("video_stats_daily", ["video_id", "day", "views", "watch_sec"], stats),
    ...inserts("video_traffic_daily", ["video_id", "day", "dim", "key", "views", "watch_sec"], traffic),
    // The cron's channel roll-ups, as its own SQL builds them (rollup.ts).
    `INSERT INTO channel_stats_daily (channel_id, day, views, watch_sec)
       SELECT v.owner_id, s.day, SUM(s.views), SUM(s.watch_sec) FROM video_stats_daily s
       JOIN videos v ON v.id = s.video_id GROUP BY v.owner_id, s.day`,
    `INSERT INTO channel_traffic_daily (channel_id, day, dim, key, views, watch_sec)
       SELECT v.owner_id, t.day, t.dim, t.key, SUM(t.views), SUM(t.watch_sec) FROM video_traffic_daily t
       JOIN videos v ON v.id = t.video_id GROUP BY v.owner_id, t.day, t.dim, t.key`,
  ];
}

const BASELINE = {
  days: `SELECT s.day, SUM(s.views) AS views, SUM(s.watch_sec) AS watch_sec FROM videos v
    JOIN video_stats_daily s ON s.video_id = v.id AND s.day BETWEEN ?2 AND ?3 WHERE v.owner_id = ?1 GROUP BY s.day`,
  slices: `SELECT t.dim, t.key, SUM(t.views) AS views, SUM(t.watch_sec) AS watch_sec FROM videos v
    JOIN video_traffic_daily t ON t.video_id = v.id AND t.day BETWEEN ?2 AND ?3 WHERE v.owner_id = ?1 GROUP BY t.dim, t.key`,
};

async function run(db: D1Like, sqls: string[], params: unknown[]): Promise<number> {
  let ms = 0;
  for (const sql of sqls)
    ms += (
      await db
        .prepare(sql)
        .bind(...params)
        .all()
    ).meta.duration;
  return ms;
}

export const section: Section = {
  name: "analytics",
  async run() {
    const d1 = freshLocalD1("analytics");
    try {
      const t0 = performance.now();
      await d1.execute("analytics-seed", seed());
      const seedSec = round((performance.now() - t0) / 1000, 1);
      const db = await d1.open();
      const range = [CHANNEL, days[0], days[DAYS - 1]];
      const channel = await timed(RUNS, () =>
        run(db, [SQL.channelDays, SQL.channelSlices, SQL.channelVideos], range),
      );
      const video = await timed(RUNS, (i) =>
        run(db, [SQL.videoDays, SQL.videoSlices], [videoId(i % VIDEOS), days[0], days[DAYS - 1]]),
      );
      const baseline = await timed(Math.min(RUNS, 50), () =>
        run(db, [BASELINE.days, BASELINE.slices, SQL.channelVideos], range),
      );
      const load = await load1();
      const figures = {
        videos: VIDEOS,
        days: DAYS,
        seedSec,
        channel,
        video,
        baselineNoChannelRollup: baseline,
        load1: load,
      };
      await appendResultsRow(
        "## Creator analytics (`npm run bench:discovery`, section analytics)",
        [
          "A channel of 1,000 videos × 90 days of roll-ups on a fresh local D1 (wrangler's binding). Channel report = the 3 queries of `GET /api/me/analytics` (D1 execution time summed, and the round trip); baseline = the same days/sources summed from per-video rows instead of the channel roll-ups.",
          "",
          "| date | channel report p50 / p99 (SQL) | round trip p50 / p99 | video report p50 / p99 (SQL) | baseline p50 / p99 (SQL) | runs | load1 |",
          "| --- | --- | --- | --- | --- | --- | --- |",
        ],
        `| ${new Date().toISOString().slice(0, 16)}Z | ${channel.sqlP50Ms} / ${channel.sqlP99Ms} ms | ${channel.roundTripP50Ms} / ${channel.roundTripP99Ms} ms | ${video.sqlP50Ms} / ${video.sqlP99Ms} ms | ${baseline.sqlP50Ms} / ${baseline.sqlP99Ms} ms | ${RUNS} | ${load} |`,
      );
      return figures;
    } finally {
      await d1.dispose();
    }
  },
};
