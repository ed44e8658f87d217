/** D1 access for videos and their recorded upload parts. */
import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type UploadPartRow, uploadParts, type VideoRow, videos, videoTags } from "../../db/schema.ts";
import { claimDownload, type DownloadEntry, settleDownload } from "./download-state.ts";
import { listableVideo } from "./listable.ts";

export type NewVideo = typeof videos.$inferInsert;

/** Where the previous page ended: its last video. */
export interface PageCursor {
  createdAt: number;
  id: string;
}

export class VideosRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /** A new video, and its `video_tags` rows in the same batch when it has tags. */
  async insert(row: NewVideo, tags: readonly string[] = []): Promise<void> {
    const insert = this.db.insert(videos).values(row);
    if (tags.length === 0) {
      await insert;
      return;
    }
    await this.db.batch([insert, this.insertTags(row.id, tags)]);
  }

  private insertTags(videoId: string, tags: readonly string[]) {
    return this.db.insert(videoTags).values(tags.map((tag) => ({ videoId, tag })));
  }

  async tags(videoId: string): Promise<string[]> {
    const rows = await this.db
      .select({ tag: videoTags.tag })
      .from(videoTags)
      .where(eq(videoTags.videoId, videoId))
      .all();
    return rows.map((r) => r.tag);
  }

  async find(id: string): Promise<VideoRow | undefined> {
    return this.db.select().from(videos).where(eq(videos.id, id)).get();
  }

  /** Public, ready videos, newest first (the home page), a page at a time. */
  async listPublicReady(limit: number, after?: PageCursor): Promise<VideoRow[]> {
    return this.page(listableVideo(), limit, after);
  }

  /** Everything one user owns, any status or visibility (their studio), newest first. */
  async listOwnedBy(ownerId: string, limit: number, after?: PageCursor): Promise<VideoRow[]> {
    return this.page([eq(videos.ownerId, ownerId)], limit, after);
  }

  /** Keyset paging on (createdAt, id): exact even when two videos share a millisecond. */
  private page(conds: SQL[], limit: number, after?: PageCursor): Promise<VideoRow[]> {
    if (after) {
      conds.push(
        or(
          lt(videos.createdAt, after.createdAt),
          and(eq(videos.createdAt, after.createdAt), lt(videos.id, after.id)),
        )!,
      );
    }
    return this.db
      .select()
      .from(videos)
      .where(and(...conds))
      .orderBy(desc(videos.createdAt), desc(videos.id))
      .limit(limit)
      .all();
  }

  /** Updates only when the row is still in one of `fromStatuses`; returns whether it did. */
  async transition(
    id: string,
    fromStatuses: VideoRow["status"][],
    patch: Partial<NewVideo>,
  ): Promise<boolean> {
    const res = await this.db
      .update(videos)
      .set({ ...patch, updatedAt: Date.now() })
      .where(and(eq(videos.id, id), inArray(videos.status, fromStatuses)))
      .run();
    return res.meta.changes > 0;
  }

  /** Claims a rung's static MP4 for a new attempt (features/downloads/download-state.ts). */
  claimDownload(videoId: string, rung: string, attemptId: string, now: number): Promise<boolean> {
    return claimDownload(this.db, videoId, rung, attemptId, now);
  }

  /** The claimed download attempt's result; any other attempt's changes nothing. */
  settleDownload(videoId: string, rung: string, entry: DownloadEntry): Promise<boolean> {
    return settleDownload(this.db, videoId, rung, entry);
  }

  /** Just what delivery checks a playback token against (access-epoch.ts). */
  async access(
    id: string,
  ): Promise<
    Pick<VideoRow, "ownerId" | "visibility" | "accessEpoch" | "takenDownAt" | "clipOf"> | undefined
  > {
    return this.db
      .select({
        ownerId: videos.ownerId,
        visibility: videos.visibility,
        accessEpoch: videos.accessEpoch,
        takenDownAt: videos.takenDownAt,
        clipOf: videos.clipOf,
      })
      .from(videos)
      .where(eq(videos.id, id))
      .get();
  }

  /**
   * An owner's edit, returning the row after it. Making the video private bumps its access
   * epoch in the same statement, decided from the row's own visibility (so two racing
   * edits cannot both skip it): every playback token issued before stops resolving.
   * `publishedAt` is set the first time the video is public and ready. With `tags`, the
   * `video_tags` rows are replaced in the same D1 batch (one transaction) as `tags_json`.
   */
  async edit(id: string, patch: Partial<NewVideo>, tags?: readonly string[]): Promise<VideoRow | undefined> {
    const now = Date.now();
    const revoke =
      patch.visibility === "private"
        ? {
            accessEpoch: sql`${videos.accessEpoch} + (case when ${videos.visibility} <> 'private' then 1 else 0 end)`,
          }
        : {};
    const visibility = patch.visibility ? sql`${patch.visibility}` : sql`${videos.visibility}`;
    const publishedAt = sql`coalesce(${videos.publishedAt}, case when ${visibility} = 'public' and ${videos.status} = 'ready' then ${now} end)`;
    const update = this.db
      .update(videos)
      .set({ ...patch, ...revoke, publishedAt, updatedAt: now })
      .where(eq(videos.id, id))
      .returning();
    if (!tags) return update.get();
    const replaceTags = this.db.delete(videoTags).where(eq(videoTags.videoId, id));
    try {
      const [rows] = tags.length
        ? await this.db.batch([update, replaceTags, this.insertTags(id, tags)])
        : await this.db.batch([update, replaceTags]);
      return rows[0];
    } catch (err) {
      // Deleted meanwhile: the tag rows' foreign key fails the batch, and nothing was written.
      if (!(await this.find(id))) return undefined;
      throw err;
    }
  }

  /** Sets `publishedAt` if the video is public and ready and never had it (a `done` event); true if it did. */
  async markPublished(id: string, now: number): Promise<boolean> {
    const res = await this.db
      .update(videos)
      .set({ publishedAt: now })
      .where(
        and(
          eq(videos.id, id),
          isNull(videos.publishedAt),
          eq(videos.visibility, "public"),
          eq(videos.status, "ready"),
        ),
      )
      .run();
    return res.meta.changes > 0;
  }

  /**
   * Scheduled publishing (the cron): videos whose `publishAt` has come turn public, lose
   * the schedule and get `publishedAt` if they are ready. At most `limit` per call; the
   * rest go next run. Re-running changes nothing (the schedule is cleared in the same write).
   */
  async publishDue(now: number, limit = 100): Promise<VideoRow[]> {
    const due = this.db
      .select({ id: videos.id })
      .from(videos)
      .where(and(isNotNull(videos.publishAt), lte(videos.publishAt, now)))
      .limit(limit);
    return this.db
      .update(videos)
      .set({
        visibility: "public",
        publishAt: null,
        publishedAt: sql`coalesce(${videos.publishedAt}, case when ${videos.status} = 'ready' then ${now} end)`,
        updatedAt: now,
      })
      .where(inArray(videos.id, due))
      .returning()
      .all();
  }

  async update(id: string, patch: Partial<NewVideo>): Promise<void> {
    await this.db
      .update(videos)
      .set({ ...patch, updatedAt: Date.now() })
      .where(eq(videos.id, id))
      .run();
  }

  /**
   * Applies a transcoder event's patch only for the current attempt and a newer seq:
   * late events from an abandoned attempt and replays change nothing.
   */
  async applyAttemptEvent(
    id: string,
    attemptId: string,
    seq: number,
    patch: Partial<NewVideo>,
  ): Promise<boolean> {
    const res = await this.db
      .update(videos)
      .set({ ...patch, lastEventSeq: seq, updatedAt: Date.now() })
      .where(and(eq(videos.id, id), eq(videos.attemptId, attemptId), lt(videos.lastEventSeq, seq)))
      .run();
    return res.meta.changes > 0;
  }

  async delete(id: string): Promise<void> {
    await this.db.delete(uploadParts).where(eq(uploadParts.videoId, id)).run();
    // A source's clips go with it: they own no storage, only a range of its segments (ADR 0027).
    await this.db.delete(videos).where(eq(videos.clipOf, id)).run();
    await this.db.delete(videos).where(eq(videos.id, id)).run();
  }

  async upsertPart(part: Omit<UploadPartRow, "createdAt">): Promise<void> {
    await this.db
      .insert(uploadParts)
      .values(part)
      .onConflictDoUpdate({
        target: [uploadParts.videoId, uploadParts.partNumber],
        set: { etag: part.etag, size: part.size, createdAt: sql`(unixepoch() * 1000)` },
      })
      .run();
  }

  async parts(videoId: string): Promise<UploadPartRow[]> {
    return this.db
      .select()
      .from(uploadParts)
      .where(eq(uploadParts.videoId, videoId))
      .orderBy(asc(uploadParts.partNumber))
      .all();
  }

  /** Videos in `status` whose last heartbeat (or last update) is older than `before`. */
  async silentSince(status: VideoRow["status"], before: number, limit = 50): Promise<VideoRow[]> {
    return this.db
      .select()
      .from(videos)
      .where(
        and(eq(videos.status, status), lt(sql`coalesce(${videos.heartbeatAt}, ${videos.updatedAt})`, before)),
      )
      .limit(limit)
      .all();
  }

  async expiredUploads(now: number, limit = 50): Promise<VideoRow[]> {
    return this.db
      .select()
      .from(videos)
      .where(and(eq(videos.status, "uploading"), lt(videos.uploadExpiresAt, now)))
      .limit(limit)
      .all();
  }
}
