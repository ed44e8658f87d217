/**
 * What a ViewCounter writes to D1 when its alarm fires (ADR 0016): at most six statements
 * in one batch, however many heartbeats were buffered — the counters on `videos`, the
 * daily rollup, the hour's views for trending (ADR 0022), the retention buckets, the
 * signed-in viewers' history rows and views by traffic source and device (ADR 0023). Buckets,
 * days and history entries travel as one JSON parameter each (`json_each`), so a batch
 * never nears D1's bound-parameter cap. Rows of a deleted video or user are skipped (never
 * a foreign-key failure that would keep the alarm retrying), and so are positions of users
 * whose history is paused, or cleared after the position was buffered.
 */

export interface HistoryEntry {
  userId: string;
  positionSec: number;
  durationSec: number | null;
  watchedAt: number;
}

/** One flush's worth of buffered counts: what the object keeps in `inflight` until D1 has it. */
export interface FlushBatch {
  videoId: string;
  views: number;
  watchSec: number;
  /** `YYYY-MM-DD` → [views, watchSec]. */
  days: Record<string, [number, number]>;
  /** bucket (0–99) → samples. */
  retention: Record<string, number>;
  history: HistoryEntry[];
  /**
   * `[day, dim, key, views, watchSec]` by traffic source and device (ADR 0023); absent in a
   * batch left in flight before that existed.
   */
  traffic?: [string, string, string, number, number][];
}

export const isEmpty = (b: FlushBatch) =>
  b.views === 0 && b.watchSec === 0 && Object.keys(b.retention).length === 0 && b.history.length === 0;

const VIDEO_EXISTS = "EXISTS (SELECT 1 FROM videos WHERE id = ?1)";

export function flushStatements(db: D1Database, b: FlushBatch): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  if (b.views > 0 || b.watchSec > 0) {
    out.push(
      db
        .prepare("UPDATE videos SET view_count = view_count + ?2, watch_sec = watch_sec + ?3 WHERE id = ?1")
        .bind(b.videoId, b.views, b.watchSec),
    );
  }
  if (Object.keys(b.days).length > 0) {
    out.push(
      db
        .prepare(
          `INSERT INTO video_stats_daily (video_id, day, views, watch_sec)
           SELECT ?1, j.key, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]')
           FROM json_each(?2) AS j WHERE ${VIDEO_EXISTS}
           ON CONFLICT (video_id, day) DO UPDATE SET views = views + excluded.views,
             watch_sec = watch_sec + excluded.watch_sec`,
        )
        .bind(b.videoId, JSON.stringify(b.days)),
    );
  }
  if (b.views > 0) out.push(hourlyStatement(db, b, Date.now()));
  if (Object.keys(b.retention).length > 0) {
    out.push(
      db
        .prepare(
          `INSERT INTO video_retention (video_id, bucket, samples)
           SELECT ?1, CAST(j.key AS INTEGER), j.value FROM json_each(?2) AS j WHERE ${VIDEO_EXISTS}
           ON CONFLICT (video_id, bucket) DO UPDATE SET samples = samples + excluded.samples`,
        )
        .bind(b.videoId, JSON.stringify(b.retention)),
    );
  }
  if (b.history.length > 0) out.push(historyStatement(db, b));
  if (b.traffic?.length) out.push(trafficStatement(db, b));
  return out;
}

/**
 * Trending's 48 h window (ADR 0022): this flush's counted views in the UTC hour it lands in
 * (a flush follows its views within VIEW_FLUSH_SECONDS; a retried one lands a little later).
 */
function hourlyStatement(db: D1Database, b: FlushBatch, now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO video_stats_hourly (video_id, hour, views) SELECT ?1, ?2, ?3 WHERE ${VIDEO_EXISTS}
       ON CONFLICT (video_id, hour) DO UPDATE SET views = views + excluded.views`,
    )
    .bind(b.videoId, Math.floor(now / 3_600_000), b.views);
}

function historyStatement(db: D1Database, b: FlushBatch): D1PreparedStatement {
  const rows = b.history.map((h) => ({ u: h.userId, p: h.positionSec, d: h.durationSec, t: h.watchedAt }));
  return db
    .prepare(
      `INSERT INTO watch_history (user_id, video_id, position_sec, duration_sec, watched_at)
       SELECT h.u, ?1, h.p, h.d, h.t FROM (
         SELECT json_extract(j.value, '$.u') AS u, json_extract(j.value, '$.p') AS p,
                json_extract(j.value, '$.d') AS d, json_extract(j.value, '$.t') AS t
         FROM json_each(?2) AS j
       ) AS h
       WHERE ${VIDEO_EXISTS}
         AND EXISTS (SELECT 1 FROM users WHERE id = h.u)
         AND NOT EXISTS (SELECT 1 FROM user_preferences p WHERE p.user_id = h.u AND p.history_paused = 1)
         AND NOT EXISTS (SELECT 1 FROM watch_history_clears c WHERE c.user_id = h.u AND c.cleared_at >= h.t)
       ON CONFLICT (user_id, video_id) DO UPDATE SET position_sec = excluded.position_sec,
         duration_sec = excluded.duration_sec, watched_at = excluded.watched_at
       WHERE excluded.watched_at >= watch_history.watched_at`,
    )
    .bind(b.videoId, JSON.stringify(rows));
}

function trafficStatement(db: D1Database, b: FlushBatch): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO video_traffic_daily (video_id, day, dim, key, views, watch_sec)
       SELECT ?1, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'),
              json_extract(j.value, '$[3]'), json_extract(j.value, '$[4]')
       FROM json_each(?2) AS j WHERE ${VIDEO_EXISTS}
       ON CONFLICT (video_id, day, dim, key) DO UPDATE SET views = views + excluded.views,
         watch_sec = watch_sec + excluded.watch_sec`,
    )
    .bind(b.videoId, JSON.stringify(b.traffic));
}
