/**
 * D1 access for video reactions. A reaction change is one batch (one transaction): the
 * caller's previous reaction is taken off the video's counters, replaced, and the new one
 * added — so repeating a request, or racing two, can never move a counter twice (ADR 0015).
 */
import type { ReactionValue } from "@streamline/contracts";
import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../../db/client.ts";
import { videoReactions, videos } from "../../db/schema.ts";

export interface ReactionCounts {
  likeCount: number;
  dislikeCount: number;
}

export class ReactionsRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  async find(videoId: string, userId: string): Promise<ReactionValue | null> {
    const row = await this.db
      .select({ value: videoReactions.value })
      .from(videoReactions)
      .where(this.mine(videoId, userId))
      .get();
    return row?.value ?? null;
  }

  /** Sets (or with null clears) the caller's reaction; the video's counters after it (undefined: no video). */
  async set(
    videoId: string,
    userId: string,
    value: ReactionValue | null,
    now = Date.now(),
  ): Promise<ReactionCounts | undefined> {
    const mine = this.mine(videoId, userId);
    const had = (v: ReactionValue) =>
      sql`(select count(*) from ${videoReactions} where ${mine} and ${videoReactions.value} = ${v})`;
    const steps: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
      this.db
        .update(videos)
        .set({
          likeCount: sql`${videos.likeCount} - ${had("like")}`,
          dislikeCount: sql`${videos.dislikeCount} - ${had("dislike")}`,
        })
        .where(eq(videos.id, videoId)),
      this.db.delete(videoReactions).where(mine),
    ];
    if (value) {
      const column = value === "like" ? "likeCount" : "dislikeCount";
      steps.push(
        this.db.insert(videoReactions).values({ videoId, userId, value, createdAt: now }),
        this.db
          .update(videos)
          .set({ [column]: sql`${videos[column]} + 1` })
          .where(eq(videos.id, videoId)),
      );
    }
    steps.push(
      this.db
        .select({ likeCount: videos.likeCount, dislikeCount: videos.dislikeCount })
        .from(videos)
        .where(eq(videos.id, videoId)),
    );
    const results = await this.db.batch(steps);
    return (results.at(-1) as ReactionCounts[])[0];
  }

  private mine(videoId: string, userId: string) {
    return and(eq(videoReactions.videoId, videoId), eq(videoReactions.userId, userId))!;
  }
}
