/**
 * D1 access for comments, comment likes and channels' blocked words. Every write that moves
 * a counter (`videos.comment_count`, a thread's `reply_count`, a comment's `like_count`) does
 * it in the same batch (one transaction) as the row it counts, with the change computed from
 * the rows inside the batch — so a retried or racing request cannot count twice (ADR 0015).
 */
import { and, asc, desc, eq, gt, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../../db/client.ts";
import { type CommentRow, channelBlockedWords, commentLikes, comments, videos } from "../../db/schema.ts";
import { userNotSuspended } from "../../lib/suspension.ts";

/** Where the previous page ended. `likes` only for the "top" order. */
export interface CommentCursor {
  likes?: number;
  createdAt: number;
  id: string;
}

/** Which of a video's top-level comments a caller may see: visible ones, plus held ones of `authorId` (or all, for the owner). */
export interface Audience {
  viewerId: string | null;
  owner: boolean;
}

type Batch = [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];

export class CommentsRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  async find(id: string): Promise<CommentRow | undefined> {
    return this.db.select().from(comments).where(eq(comments.id, id)).get();
  }

  /** A page of top-level comments (the pinned one is excluded: it is shown first, on its own). */
  async topLevel(
    videoId: string,
    audience: Audience,
    sort: "newest" | "top",
    limit: number,
    after?: CommentCursor,
  ): Promise<CommentRow[]> {
    const conds: SQL[] = [
      eq(comments.videoId, videoId),
      isNull(comments.parentId),
      eq(comments.pinned, false),
      this.seenBy(audience),
    ];
    const order =
      sort === "top"
        ? [desc(comments.likeCount), desc(comments.createdAt), desc(comments.id)]
        : [desc(comments.createdAt), desc(comments.id)];
    if (after) conds.push(sort === "top" ? afterTop(after) : afterNewest(after));
    return this.db
      .select()
      .from(comments)
      .where(and(...conds))
      .orderBy(...order)
      .limit(limit)
      .all();
  }

  async pinned(videoId: string, audience: Audience): Promise<CommentRow | undefined> {
    return this.db
      .select()
      .from(comments)
      .where(and(eq(comments.videoId, videoId), eq(comments.pinned, true), this.seenBy(audience)))
      .get();
  }

  /** A thread's replies, oldest first (a conversation reads down). */
  async replies(parentId: string, audience: Audience, limit: number, after?: CommentCursor) {
    const conds: SQL[] = [eq(comments.parentId, parentId), this.seenBy(audience)];
    if (after) {
      conds.push(
        or(
          gt(comments.createdAt, after.createdAt),
          and(eq(comments.createdAt, after.createdAt), gt(comments.id, after.id)),
        )!,
      );
    }
    return this.db
      .select()
      .from(comments)
      .where(and(...conds))
      .orderBy(asc(comments.createdAt), asc(comments.id))
      .limit(limit)
      .all();
  }

  /** Held comments of a video (the owner's review list), newest first. */
  async held(videoId: string, limit: number, after?: CommentCursor): Promise<CommentRow[]> {
    const conds: SQL[] = [eq(comments.videoId, videoId), eq(comments.held, true)];
    if (after) conds.push(afterNewest(after));
    return this.db
      .select()
      .from(comments)
      .where(and(...conds))
      .orderBy(desc(comments.createdAt), desc(comments.id))
      .limit(limit)
      .all();
  }

  /** Which of `ids` the user liked. */
  async likedBy(userId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .select({ id: commentLikes.commentId })
      .from(commentLikes)
      .where(and(eq(commentLikes.userId, userId), inArray(commentLikes.commentId, ids)))
      .all();
    return new Set(rows.map((r) => r.id));
  }

  /** A new comment; a visible one counts on its video and (a reply) on its thread. */
  async insert(row: typeof comments.$inferInsert): Promise<void> {
    const steps: Batch = [this.db.insert(comments).values(row)];
    if (!row.held) steps.push(...this.count(row.videoId, row.parentId ?? null, 1));
    await this.db.batch(steps);
  }

  async editText(id: string, text: string, now: number): Promise<void> {
    await this.db.update(comments).set({ text, editedAt: now }).where(eq(comments.id, id));
  }

  /**
   * Deletes a comment and (a top-level one) its replies, taking every visible one of them off
   * the video's count and a reply off its thread's count. The counts are computed in the batch,
   * before the delete, so a second delete of the same comment subtracts nothing.
   */
  async delete(comment: Pick<CommentRow, "id" | "videoId" | "parentId">): Promise<void> {
    const gone = sql`(select count(*) from ${comments} where (${comments.id} = ${comment.id} or ${comments.parentId} = ${comment.id}) and ${comments.held} = 0)`;
    const steps: Batch = [
      this.db
        .update(videos)
        .set({ commentCount: sql`max(0, ${videos.commentCount} - ${gone})` })
        .where(eq(videos.id, comment.videoId)),
    ];
    if (comment.parentId) {
      const visible = sql`(select count(*) from ${comments} where ${comments.id} = ${comment.id} and ${comments.held} = 0)`;
      steps.push(
        this.db
          .update(comments)
          .set({ replyCount: sql`max(0, ${comments.replyCount} - ${visible})` })
          .where(eq(comments.id, comment.parentId)),
      );
    }
    steps.push(this.db.delete(comments).where(eq(comments.id, comment.id)));
    await this.db.batch(steps);
  }

  /** Approve (held → visible, counted) or hold (visible → held, uncounted); a no-op when already so. */
  async setHeld(comment: Pick<CommentRow, "id" | "videoId" | "parentId">, held: boolean): Promise<void> {
    const flips = sql`(select count(*) from ${comments} where ${comments.id} = ${comment.id} and ${comments.held} = ${held ? 0 : 1})`;
    const delta = held ? sql`- ${flips}` : sql`+ ${flips}`;
    const steps: Batch = [
      this.db
        .update(videos)
        .set({ commentCount: sql`${videos.commentCount} ${delta}` })
        .where(eq(videos.id, comment.videoId)),
    ];
    if (comment.parentId) {
      steps.push(
        this.db
          .update(comments)
          .set({ replyCount: sql`${comments.replyCount} ${delta}` })
          .where(eq(comments.id, comment.parentId)),
      );
    }
    steps.push(
      this.db
        .update(comments)
        .set({ held, ...(held ? { pinned: false } : {}) })
        .where(eq(comments.id, comment.id)),
    );
    await this.db.batch(steps);
  }

  /** Pins one comment of the video, unpinning whichever was pinned (one transaction). */
  async pin(videoId: string, id: string): Promise<void> {
    await this.db.batch([
      this.db
        .update(comments)
        .set({ pinned: false })
        .where(and(eq(comments.videoId, videoId), eq(comments.pinned, true))),
      this.db.update(comments).set({ pinned: true }).where(eq(comments.id, id)),
    ]);
  }

  async unpin(id: string): Promise<void> {
    await this.db.update(comments).set({ pinned: false }).where(eq(comments.id, id));
  }

  /** Likes or unlikes for `userId`; the count after it. Repeating a value changes nothing. */
  async like(commentId: string, userId: string, liked: boolean, now = Date.now()): Promise<number> {
    const mine = and(eq(commentLikes.commentId, commentId), eq(commentLikes.userId, userId))!;
    const had = sql`(select count(*) from ${commentLikes} where ${mine})`;
    const steps: Batch = [
      this.db
        .update(comments)
        .set({ likeCount: sql`${comments.likeCount} - ${had}` })
        .where(eq(comments.id, commentId)),
      this.db.delete(commentLikes).where(mine),
    ];
    if (liked) {
      steps.push(
        this.db.insert(commentLikes).values({ commentId, userId, createdAt: now }),
        this.db
          .update(comments)
          .set({ likeCount: sql`${comments.likeCount} + 1` })
          .where(eq(comments.id, commentId)),
      );
    }
    steps.push(
      this.db.select({ likeCount: comments.likeCount }).from(comments).where(eq(comments.id, commentId)),
    );
    const results = await this.db.batch(steps);
    return (results.at(-1) as { likeCount: number }[])[0]?.likeCount ?? 0;
  }

  async blockedWords(userId: string): Promise<string[]> {
    const row = await this.db
      .select({ json: channelBlockedWords.wordsJson })
      .from(channelBlockedWords)
      .where(eq(channelBlockedWords.userId, userId))
      .get();
    const words: unknown = row ? JSON.parse(row.json) : [];
    return Array.isArray(words) ? words.filter((w): w is string => typeof w === "string") : [];
  }

  async setBlockedWords(userId: string, words: string[], now = Date.now()): Promise<void> {
    const wordsJson = JSON.stringify(words);
    await this.db
      .insert(channelBlockedWords)
      .values({ userId, wordsJson, updatedAt: now })
      .onConflictDoUpdate({ target: channelBlockedWords.userId, set: { wordsJson, updatedAt: now } });
  }

  /** +1/-1 on the video's comment count and (a reply) on its thread's reply count. */
  private count(videoId: string, parentId: string | null, delta: 1 | -1): BatchItem<"sqlite">[] {
    const steps: BatchItem<"sqlite">[] = [
      this.db
        .update(videos)
        .set({ commentCount: sql`${videos.commentCount} + ${delta}` })
        .where(eq(videos.id, videoId)),
    ];
    if (parentId) {
      steps.push(
        this.db
          .update(comments)
          .set({ replyCount: sql`${comments.replyCount} + ${delta}` })
          .where(eq(comments.id, parentId)),
      );
    }
    return steps;
  }

  /** Visible comments, plus held ones for the owner (all) or their author (their own). */
  /** Held ones only to their author and the owner; a suspended author's to nobody (ADR 0024). */
  private seenBy({ viewerId, owner }: Audience): SQL {
    const notSuspended = userNotSuspended(comments.authorId);
    if (owner) return notSuspended;
    const held = viewerId
      ? or(eq(comments.held, false), eq(comments.authorId, viewerId))!
      : eq(comments.held, false);
    return and(held, notSuspended)!;
  }
}

function afterNewest(after: CommentCursor): SQL {
  return or(
    lt(comments.createdAt, after.createdAt),
    and(eq(comments.createdAt, after.createdAt), lt(comments.id, after.id)),
  )!;
}

function afterTop(after: CommentCursor): SQL {
  const likes = after.likes ?? 0;
  return or(lt(comments.likeCount, likes), and(eq(comments.likeCount, likes), afterNewest(after)))!;
}
