/**
 * The running-totals SQL of the analytics roll-up (rollup.ts), in a module of its own without
 * Workers types, so the bench seeds its D1 with the very statement the cron runs.
 */

/** Videos with a day at or after `?1`: their running totals are rebuilt whole. */
export const CHANGED_VIDEOS = "SELECT DISTINCT video_id FROM video_stats_daily WHERE day >= ?1";

export const CUMULATIVE_INSERT = `INSERT INTO video_stats_cumulative (video_id, day, views, watch_sec)
 SELECT video_id, day, SUM(views) OVER w, SUM(watch_sec) OVER w FROM video_stats_daily
 WHERE video_id IN (${CHANGED_VIDEOS})
 WINDOW w AS (PARTITION BY video_id ORDER BY day ROWS UNBOUNDED PRECEDING)`;
