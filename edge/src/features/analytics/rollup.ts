/**
 * The analytics roll-up (ADR 0023), run by the cron every 5 minutes: likes and comments per
 * video and day from their own tables, then per channel and day its videos' views, watch
 * time, likes and comments, its subscription events, and its traffic sources and devices; and
 * each changed video's running totals (`video_stats_cumulative`).
 * Each run recomputes the days from the day before its watermark on (a late flush or a like
 * taken back lands in the right day) as one D1 batch — a transaction, so a report never sees a
 * day deleted and not yet rebuilt. The first run rebuilds everything.
 */
import { CHANGED_VIDEOS, CUMULATIVE_INSERT } from "./rollup-sql.ts";

export { CUMULATIVE_INSERT };
export const ROLLUP_NAME = "analytics_daily";
/** Subscription events are rolled up, then kept this long (the longest report is 365 days). */
export const SUBSCRIPTION_EVENTS_KEEP_DAYS = 400;

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const DAY_SQL = (column: string) => `strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`;

export interface RollupReport {
  fromDay: string;
  throughDay: string;
}

/** The day before the watermark (a late flush may still have landed there), or the beginning. */
async function startDay(db: D1Database): Promise<string> {
  const row = await db
    .prepare("SELECT through_day FROM analytics_rollups WHERE name = ?")
    .bind(ROLLUP_NAME)
    .first<{ through_day: string }>();
  if (!row) return "0000-01-01";
  return dayOf(Date.parse(`${row.through_day}T00:00:00Z`) - DAY_MS);
}

/** Likes still given and visible comments per video and day, from `?1` (ms) on; by time indexes. */
export const ENGAGEMENT_INSERT = `INSERT INTO video_engagement_daily (video_id, day, likes, comments)
 SELECT video_id, day, SUM(l), SUM(c) FROM (
   SELECT video_id, ${DAY_SQL("created_at")} AS day, 1 AS l, 0 AS c
     FROM video_reactions WHERE value = 'like' AND created_at >= ?1
   UNION ALL
   SELECT video_id, ${DAY_SQL("created_at")}, 0, 1
     FROM comments WHERE held = 0 AND created_at >= ?1
 ) GROUP BY video_id, day`;

function engagementStatements(db: D1Database, from: string, fromMs: number): D1PreparedStatement[] {
  return [
    db.prepare("DELETE FROM video_engagement_daily WHERE day >= ?").bind(from),
    db.prepare(ENGAGEMENT_INSERT).bind(fromMs),
  ];
}

function cumulativeStatements(db: D1Database, from: string): D1PreparedStatement[] {
  return [
    db.prepare(`DELETE FROM video_stats_cumulative WHERE video_id IN (${CHANGED_VIDEOS})`).bind(from),
    db.prepare(CUMULATIVE_INSERT).bind(from),
  ];
}

function channelStatements(db: D1Database, from: string, fromMs: number): D1PreparedStatement[] {
  return [
    db.prepare("DELETE FROM channel_stats_daily WHERE day >= ?").bind(from),
    db
      .prepare(
        `INSERT INTO channel_stats_daily (channel_id, day, views, watch_sec, likes, comments, subs_gained, subs_lost)
         SELECT ch, day, SUM(views), SUM(watch_sec), SUM(likes), SUM(comments), SUM(gained), SUM(lost) FROM (
           SELECT v.owner_id AS ch, s.day, s.views, s.watch_sec, 0 AS likes, 0 AS comments, 0 AS gained, 0 AS lost
             FROM video_stats_daily s JOIN videos v ON v.id = s.video_id WHERE s.day >= ?1
           UNION ALL
           SELECT v.owner_id, e.day, 0, 0, e.likes, e.comments, 0, 0
             FROM video_engagement_daily e JOIN videos v ON v.id = e.video_id WHERE e.day >= ?1
           UNION ALL
           SELECT channel_id, ${DAY_SQL("at")}, 0, 0, 0, 0, delta > 0, delta < 0
             FROM subscription_events WHERE at >= ?2
         ) WHERE ch IN (SELECT id FROM users) GROUP BY ch, day`,
      )
      .bind(from, fromMs),
    db.prepare("DELETE FROM channel_traffic_daily WHERE day >= ?").bind(from),
    db
      .prepare(
        `INSERT INTO channel_traffic_daily (channel_id, day, dim, key, views, watch_sec)
         SELECT v.owner_id, t.day, t.dim, t.key, SUM(t.views), SUM(t.watch_sec)
         FROM video_traffic_daily t JOIN videos v ON v.id = t.video_id
         WHERE t.day >= ?1 AND v.owner_id IN (SELECT id FROM users)
         GROUP BY v.owner_id, t.day, t.dim, t.key`,
      )
      .bind(from),
  ];
}

/**
 * One roll-up run; `now` is the cron's clock (tests pass their own), `fromDay` forces a rebuild
 * from that day on.
 */
export async function rollUpAnalytics(
  db: D1Database,
  now = Date.now(),
  fromDay?: string,
): Promise<RollupReport> {
  const from = fromDay ?? (await startDay(db));
  const fromMs = Date.parse(`${from}T00:00:00Z`);
  const today = dayOf(now);
  await db.batch([
    ...engagementStatements(db, from, fromMs),
    ...channelStatements(db, from, fromMs),
    ...cumulativeStatements(db, from),
    db
      .prepare("DELETE FROM subscription_events WHERE at < ?")
      .bind(now - SUBSCRIPTION_EVENTS_KEEP_DAYS * DAY_MS),
    db
      .prepare(
        `INSERT INTO analytics_rollups (name, through_day, at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET through_day = excluded.through_day, at = excluded.at`,
      )
      .bind(ROLLUP_NAME, today, now),
  ]);
  return { fromDay: from, throughDay: today };
}
