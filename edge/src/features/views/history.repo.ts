/** D1 access for `watch_history` (written only by ViewCounter flushes) and `watch_history_clears`. */
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type VideoRow, videos, watchHistory, watchHistoryClears } from "../../db/schema.ts";

export interface HistoryRow {
  video: VideoRow;
  positionSec: number;
  durationSec: number | null;
  watchedAt: number;
}

export class HistoryRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /** Newest first; keyset on (watchedAt, videoId). Only videos the user may still see are filtered by the caller. */
  async page(
    userId: string,
    limit: number,
    after?: { watchedAt: number; videoId: string },
  ): Promise<HistoryRow[]> {
    const rows = await this.db
      .select({ h: watchHistory, video: videos })
      .from(watchHistory)
      .innerJoin(videos, eq(videos.id, watchHistory.videoId))
      .where(
        and(
          eq(watchHistory.userId, userId),
          after
            ? or(
                lt(watchHistory.watchedAt, after.watchedAt),
                and(eq(watchHistory.watchedAt, after.watchedAt), lt(watchHistory.videoId, after.videoId)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(watchHistory.watchedAt), desc(watchHistory.videoId))
      .limit(limit)
      .all();
    return rows.map(({ h, video }) => ({
      video,
      positionSec: h.positionSec,
      durationSec: h.durationSec,
      watchedAt: h.watchedAt,
    }));
  }

  async remove(userId: string, videoId: string): Promise<void> {
    await this.db
      .delete(watchHistory)
      .where(and(eq(watchHistory.userId, userId), eq(watchHistory.videoId, videoId)))
      .run();
  }

  /** Deletes every row and remembers when: positions buffered before now are dropped at flush. */
  async clear(userId: string, now = Date.now()): Promise<void> {
    await this.db.batch([
      this.db.delete(watchHistory).where(eq(watchHistory.userId, userId)),
      this.db
        .insert(watchHistoryClears)
        .values({ userId, clearedAt: now })
        .onConflictDoUpdate({ target: watchHistoryClears.userId, set: { clearedAt: now } }),
    ]);
  }

  /** The saved position and whether history is paused, in one query. */
  async resumeState(
    userId: string,
    videoId: string,
  ): Promise<{ positionSec: number | null; paused: boolean }> {
    const row = await this.db.get<{ position: number | null; paused: number | null }>(
      sql`SELECT
        (SELECT position_sec FROM watch_history WHERE user_id = ${userId} AND video_id = ${videoId}) AS position,
        (SELECT history_paused FROM user_preferences WHERE user_id = ${userId}) AS paused`,
    );
    return { positionSec: row?.position ?? null, paused: row?.paused === 1 };
  }
}
