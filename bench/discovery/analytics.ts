/**
 * Creator analytics (ADR 0023): the owner's channel report for a channel of 1,000 videos with
 * 90 days of roll-ups (90,000 `video_stats_daily` rows, 270,000 `video_traffic_daily` rows, the
 * channel's daily and traffic roll-ups), timed on a fresh local D1 through wrangler's binding.
 * The report is the three queries `GET /api/me/analytics` sends (channel days, sources and
 * devices, per-video sums for the top videos and average % viewed), plus a video's report.
 * Baseline in the same run: the same numbers summed from the per-video daily rows (no channel
 * roll-up, no running totals), what the report would cost without the cron's tables.
 */
import { SQL } from "../../edge/src/features/analytics/analytics.repo.ts";
import { CUMULATIVE_INSERT } from "../../edge/src/features/analytics/rollup-sql.ts";
import { appendResultsRow, load1, round } from "../lib/results.ts";
import { type D1Like, freshLocalD1, sqlText, timed, userRows } from "./local-d1.ts";
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

/**
 * The seed, generated inside SQLite (recursive CTEs) rather than sent as 360,000 literal rows:
 * deterministic pseudo-random counts, the same figures every run.
 */
function seed(): string[] {
  const now = Date.now();
  const first = days[0]!;
  const n = `WITH RECURSIVE n(v) AS (SELECT 0 UNION ALL SELECT v + 1 FROM n WHERE v < ${VIDEOS - 1})`;
  const nd = `${n}, d(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM d WHERE i < ${DAYS - 1})`;
  const vid = "printf('v_%016d', v)";
  const day = `date('${first}', '+' || i || ' days')`;
  const views = "((v * 7919 + i * 104729) % 50) + 1";
  const list = (keys: string[]) => `json('${JSON.stringify(keys)}')`;
  return [
    ...userRows([CHANNEL], "analytics"),
    `INSERT INTO videos (id, owner_id, title, status, filename, content_type, size, part_size, part_count,
       upload_expires_at, duration_sec, created_at)
     ${n} SELECT ${vid}, ${sqlText(CHANNEL)}, 'Bench video ' || v, 'ready', 'clip.mp4', 'video/mp4', 1000,
       8388608, 1, ${now}, 60 + (v % 20) * 30, ${now} - v * 1000 FROM n`,
    `INSERT INTO video_stats_daily (video_id, day, views, watch_sec)
     ${nd} SELECT ${vid}, ${day}, ${views}, ${views} * 95 FROM n, d`,
    // Two sources and one device class per video and day.
    ...[
      ["source", SOURCES, 0],
      ["source", SOURCES, 3],
      ["device", DEVICES, 0],
    ].map(
      ([dim, keys, shift]) =>
        `INSERT INTO video_traffic_daily (video_id, day, dim, key, views, watch_sec)
         ${nd} SELECT ${vid}, ${day}, '${dim}',
           json_extract(${list(keys as string[])}, '$[' || ((v + i + ${shift}) % ${(keys as string[]).length}) || ']'),
           ${views}, ${views} * 95 FROM n, d`,
    ),
    // The cron's roll-ups, as its own SQL builds them (rollup.ts): running totals, channel rows.
    CUMULATIVE_INSERT.replaceAll("?1", "'0000-01-01'"),
    // Channel rows.
    `INSERT INTO channel_stats_daily (channel_id, day, views, watch_sec)
       SELECT v.owner_id, s.day, SUM(s.views), SUM(s.watch_sec) FROM video_stats_daily s
       JOIN videos v ON v.id = s.video_id GROUP BY v.owner_id, s.day`,
    `INSERT INTO channel_traffic_daily (channel_id, day, dim, key, views, watch_sec)
       SELECT v.owner_id, t.day, t.dim, t.key, SUM(t.views), SUM(t.watch_sec) FROM video_traffic_daily t
       JOIN videos v ON v.id = t.video_id GROUP BY v.owner_id, t.day, t.dim, t.key`,
  ];
}

/** Without the cron's channel tables and running totals: everything summed from per-video days. */
const BASELINE = {
  videos: `SELECT v.id, v.title, v.duration_sec, SUM(s.views) AS views, SUM(s.watch_sec) AS watch_sec
    FROM videos v JOIN video_stats_daily s ON s.video_id = v.id AND s.day BETWEEN ?2 AND ?3
    WHERE v.owner_id = ?1 GROUP BY v.id`,
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
      const rows = async (table: string) =>
        (await db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).bind().all<{ n: number }>()).results[0]?.n ??
        0;
      const seeded = {
        videoStatsDaily: await rows("video_stats_daily"),
        videoTrafficDaily: await rows("video_traffic_daily"),
        channelStatsDaily: await rows("channel_stats_daily"),
      };
      if (seeded.videoStatsDaily !== VIDEOS * DAYS) throw new Error(`seeded ${JSON.stringify(seeded)}`);
      const range = [CHANNEL, days[0], days[DAYS - 1]];
      const channel = await timed(RUNS, () =>
        run(db, [SQL.channelDays, SQL.channelSlices, SQL.channelVideos], range),
      );
      const video = await timed(RUNS, (i) =>
        run(db, [SQL.videoDays, SQL.videoSlices], [videoId(i % VIDEOS), days[0], days[DAYS - 1]]),
      );
      const baseline = await timed(Math.min(RUNS, 50), () =>
        run(db, [BASELINE.days, BASELINE.slices, BASELINE.videos], range),
      );
      const load = await load1();
      const figures = {
        videos: VIDEOS,
        days: DAYS,
        seeded,
        seedSec,
        channel,
        video,
        baselineNoChannelRollup: baseline,
        load1: load,
      };
      await appendResultsRow(
        "## Creator analytics (`npm run bench:discovery`, section analytics)",
        [
          "A channel of 1,000 videos × 90 days of roll-ups on a fresh local D1 (wrangler's binding). Channel report = the 3 queries of `GET /api/me/analytics` (D1 execution time summed, and the round trip); baseline = the same numbers summed from per-video daily rows (no channel roll-ups, no running totals).",
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
