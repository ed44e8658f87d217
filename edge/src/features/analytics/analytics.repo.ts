/**
 * The owner's analytics reads (ADR 0023): every query reads the daily roll-ups by their
 * primary keys (`channel_stats_daily`, `channel_traffic_daily`, `video_stats_daily`,
 * `video_engagement_daily`, `video_traffic_daily`, `video_retention`, `video_stats_cumulative`),
 * never the raw rows
 * of reactions, comments or subscriptions. analytics.test.ts checks each plan.
 */

export interface DayRow {
  day: string;
  views: number;
  watch_sec: number;
  likes: number;
  comments: number;
  subs_gained: number;
  subs_lost: number;
}

export interface SliceRow {
  dim: "source" | "device";
  key: string;
  views: number;
  watch_sec: number;
}

export interface VideoSumRow {
  id: string;
  title: string;
  duration_sec: number | null;
  views: number;
  watch_sec: number;
}

export interface RetentionRow {
  bucket: number;
  samples: number;
}

/** The SQL of each report query, exported so the test can EXPLAIN QUERY PLAN them. */
export const SQL = {
  channelDays: `SELECT day, views, watch_sec, likes, comments, subs_gained, subs_lost
    FROM channel_stats_daily WHERE channel_id = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day`,
  channelSlices: `SELECT dim, key, SUM(views) AS views, SUM(watch_sec) AS watch_sec
    FROM channel_traffic_daily WHERE channel_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY dim, key`,
  /**
   * Per video: the running total at `to` minus the one before `from` (key lookups only); every
   * video of the channel, those without views in the range are dropped by the caller.
   */
  channelVideos: `SELECT v.id, v.title, v.duration_sec,
        COALESCE((SELECT c.views FROM video_stats_cumulative c WHERE c.video_id = v.id AND c.day <= ?3
                  ORDER BY c.day DESC LIMIT 1), 0)
        - COALESCE((SELECT c.views FROM video_stats_cumulative c WHERE c.video_id = v.id AND c.day < ?2
                  ORDER BY c.day DESC LIMIT 1), 0) AS views,
        COALESCE((SELECT c.watch_sec FROM video_stats_cumulative c WHERE c.video_id = v.id AND c.day <= ?3
                  ORDER BY c.day DESC LIMIT 1), 0)
        - COALESCE((SELECT c.watch_sec FROM video_stats_cumulative c WHERE c.video_id = v.id AND c.day < ?2
                  ORDER BY c.day DESC LIMIT 1), 0) AS watch_sec
      FROM videos v WHERE v.owner_id = ?1`,
  videoDays: `SELECT s.day, s.views, s.watch_sec, 0 AS likes, 0 AS comments, 0 AS subs_gained, 0 AS subs_lost
    FROM video_stats_daily s WHERE s.video_id = ?1 AND s.day BETWEEN ?2 AND ?3
    UNION ALL
    SELECT e.day, 0, 0, e.likes, e.comments, 0, 0
    FROM video_engagement_daily e WHERE e.video_id = ?1 AND e.day BETWEEN ?2 AND ?3`,
  videoSlices: `SELECT dim, key, SUM(views) AS views, SUM(watch_sec) AS watch_sec
    FROM video_traffic_daily WHERE video_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY dim, key`,
  videoRetention: "SELECT bucket, samples FROM video_retention WHERE video_id = ?1 ORDER BY bucket",
} as const;

export class AnalyticsRepo {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  private async all<T>(sql: string, ...params: unknown[]): Promise<T[]> {
    return (
      await this.db
        .prepare(sql)
        .bind(...params)
        .all<T>()
    ).results;
  }

  /** The channel report's three reads, in one round trip. */
  async channel(channelId: string, from: string, to: string) {
    const [days, slices, videos] = await this.db.batch([
      this.db.prepare(SQL.channelDays).bind(channelId, from, to),
      this.db.prepare(SQL.channelSlices).bind(channelId, from, to),
      this.db.prepare(SQL.channelVideos).bind(channelId, from, to),
    ]);
    return {
      days: (days?.results ?? []) as DayRow[],
      slices: (slices?.results ?? []) as SliceRow[],
      videos: (videos?.results ?? []) as VideoSumRow[],
    };
  }

  async video(videoId: string, from: string, to: string) {
    const [days, slices, retention] = await this.db.batch([
      this.db.prepare(SQL.videoDays).bind(videoId, from, to),
      this.db.prepare(SQL.videoSlices).bind(videoId, from, to),
      this.db.prepare(SQL.videoRetention).bind(videoId),
    ]);
    return {
      days: (days?.results ?? []) as DayRow[],
      slices: (slices?.results ?? []) as SliceRow[],
      retention: (retention?.results ?? []) as RetentionRow[],
    };
  }

  /** `EXPLAIN QUERY PLAN` of a report query (the test's proof that it reads roll-ups only). */
  plan(sql: string, ...params: unknown[]): Promise<{ detail: string }[]> {
    return this.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, ...params);
  }
}
