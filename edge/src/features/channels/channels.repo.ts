/**
 * D1 access for channels: a channel is its user's row in `channels` plus the user's handle;
 * handles given up live on in `handle_redirects` until they expire. Also the channel's
 * public video pages (newest / popular, keyset) and the numbers its page shows.
 */
import type { ChannelImageKind, ChannelVideoSort } from "@streamline/contracts";
import { and, desc, eq, gt, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type ChannelRow, channels, handleRedirects, users, type VideoRow, videos } from "../../db/schema.ts";
import { listableVideo } from "../videos/listable.ts";

/** A channel as pages need it: the channel row with its handle and its owner's join date. */
export interface ChannelRecord extends ChannelRow {
  handle: string;
}

/** Where the previous page ended: its last video's sort value and id. */
export interface ChannelPageCursor {
  value: number;
  id: string;
}

export type HandleChange = "changed" | "taken" | "conflict";

const KIND_COLUMNS = {
  avatar: { key: channels.avatarKey, attempt: channels.avatarAttemptId, failure: channels.avatarFailure },
  banner: { key: channels.bannerKey, attempt: channels.bannerAttemptId, failure: channels.bannerFailure },
} as const;

/** drizzle property names per image kind (for `.set()`). */
const KIND_FIELDS = {
  avatar: { key: "avatarKey", attempt: "avatarAttemptId", failure: "avatarFailure" },
  banner: { key: "bannerKey", attempt: "bannerAttemptId", failure: "bannerFailure" },
} as const;

export class ChannelsRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  private selectChannel() {
    return this.db
      .select({ channel: channels, handle: users.handle })
      .from(channels)
      .innerJoin(users, eq(users.id, channels.userId));
  }

  /** A channel by its handle; a suspended account's channel is nobody's to find (ADR 0024). */
  async findByHandle(handle: string): Promise<ChannelRecord | undefined> {
    const row = await this.selectChannel()
      .where(and(eq(users.handle, handle), isNull(users.suspendedAt)))
      .get();
    return row ? { ...row.channel, handle: row.handle } : undefined;
  }

  async findByUserId(userId: string): Promise<ChannelRecord | undefined> {
    const row = await this.selectChannel().where(eq(channels.userId, userId)).get();
    return row ? { ...row.channel, handle: row.handle } : undefined;
  }

  /** The user a handle given up still redirects to (until it expires). */
  async redirectTarget(handle: string, now: number): Promise<string | undefined> {
    const row = await this.db
      .select({ userId: handleRedirects.userId })
      .from(handleRedirects)
      .where(and(eq(handleRedirects.handle, handle), gt(handleRedirects.expiresAt, now)))
      .get();
    return row?.userId;
  }

  /** The old handles that still redirect to `userId`, oldest expiry first. */
  async heldHandles(userId: string, now: number): Promise<{ handle: string; expiresAt: number }[]> {
    return this.db
      .select({ handle: handleRedirects.handle, expiresAt: handleRedirects.expiresAt })
      .from(handleRedirects)
      .where(and(eq(handleRedirects.userId, userId), gt(handleRedirects.expiresAt, now)))
      .orderBy(handleRedirects.expiresAt)
      .all();
  }

  /** Public, ready videos and their views: what the channel page counts. */
  async stats(userId: string): Promise<{ videoCount: number; totalViews: number }> {
    const row = await this.db
      .select({
        videoCount: sql<number>`count(*)`,
        totalViews: sql<number>`coalesce(sum(${videos.viewCount}), 0)`,
      })
      .from(videos)
      .where(and(...publicOf(userId)))
      .get();
    return { videoCount: Number(row?.videoCount ?? 0), totalViews: Number(row?.totalViews ?? 0) };
  }

  async update(
    userId: string,
    patch: Partial<Pick<ChannelRow, "displayName" | "description" | "linksJson">>,
    now: number,
  ): Promise<void> {
    await this.db
      .update(channels)
      .set({ ...patch, updatedAt: now })
      .where(eq(channels.userId, userId))
      .run();
  }

  /**
   * Moves the channel from `from` to `to` in one D1 batch (one transaction): the user's
   * handle changes only if `to` is not held by someone else's live redirect, and then `from`
   * starts redirecting here until `expiresAt`. The caller's own old redirect of `to` is
   * reclaimed; an expired one of anybody is cleared. A `to` another user holds → "taken"
   * (the unique index, or the live redirect); `from` no longer current → "conflict".
   */
  async changeHandle(userId: string, from: string, to: string, now: number, expiresAt: number) {
    const d1 = this.db.$client;
    const stillFrom = "EXISTS (SELECT 1 FROM users WHERE id = ?1 AND handle = ?2)";
    try {
      const [, moved] = await d1.batch([
        d1
          .prepare(
            `DELETE FROM handle_redirects WHERE handle = ?3 AND (user_id = ?1 OR expires_at <= ?4) AND ${stillFrom}`,
          )
          .bind(userId, from, to, now),
        d1
          .prepare(
            `UPDATE users SET handle = ?3, updated_at = ?4 WHERE id = ?1 AND handle = ?2
             AND NOT EXISTS (SELECT 1 FROM handle_redirects WHERE handle = ?3 AND expires_at > ?4)`,
          )
          .bind(userId, from, to, now),
        d1
          .prepare(
            `INSERT INTO handle_redirects (handle, user_id, expires_at)
             SELECT ?2, ?1, ?4 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1 AND handle = ?3)
             ON CONFLICT(handle) DO UPDATE SET user_id = excluded.user_id, expires_at = excluded.expires_at`,
          )
          .bind(userId, from, to, expiresAt),
      ]);
      if (moved!.meta.changes > 0) return "changed" as HandleChange;
      const current = await this.db
        .select({ handle: users.handle })
        .from(users)
        .where(eq(users.id, userId))
        .get();
      return (current?.handle === from ? "taken" : "conflict") as HandleChange;
    } catch (err) {
      const text = String(err instanceof Error ? `${err.message} ${String(err.cause ?? "")}` : err);
      if (/UNIQUE constraint failed: users\.handle/.test(text)) return "taken" as HandleChange;
      throw err;
    }
  }

  /** The channel's public, ready videos, a page at a time, by `sort` (keyset, exact under ties). */
  async videos(
    userId: string,
    sort: ChannelVideoSort,
    limit: number,
    after?: ChannelPageCursor,
  ): Promise<VideoRow[]> {
    const column = sort === "popular" ? videos.viewCount : videos.createdAt;
    const conds: SQL[] = publicOf(userId);
    if (after) {
      conds.push(or(lt(column, after.value), and(eq(column, after.value), lt(videos.id, after.id)))!);
    }
    return this.db
      .select()
      .from(videos)
      .where(and(...conds))
      .orderBy(desc(column), desc(videos.id))
      .limit(limit)
      .all();
  }

  /** A new upload of `kind` is being rendered as `attemptId`; an older pending one is superseded. */
  async startImage(userId: string, kind: ChannelImageKind, attemptId: string, now: number): Promise<void> {
    const f = KIND_FIELDS[kind];
    await this.db
      .update(channels)
      .set({ [f.attempt]: attemptId, [f.failure]: null, updatedAt: now })
      .where(eq(channels.userId, userId))
      .run();
  }

  /**
   * The fleet rendered `attemptId`: its prefix becomes the current image, if that attempt is
   * still the one awaited. Returns the prefix it replaced (to delete), or false when stale.
   */
  async finishImage(
    userId: string,
    kind: ChannelImageKind,
    attemptId: string,
    keyPrefix: string,
    now: number,
  ): Promise<{ previous: string | null } | false> {
    const c = KIND_COLUMNS[kind];
    const f = KIND_FIELDS[kind];
    const before = await this.db
      .select({ key: c.key })
      .from(channels)
      .where(eq(channels.userId, userId))
      .get();
    const res = await this.db
      .update(channels)
      .set({ [f.key]: keyPrefix, [f.attempt]: null, [f.failure]: null, updatedAt: now })
      .where(and(eq(channels.userId, userId), eq(c.attempt, attemptId)))
      .run();
    return res.meta.changes > 0 ? { previous: before?.key ?? null } : false;
  }

  /** The awaited attempt failed: stop waiting and say why; the current image stays. */
  async failImage(userId: string, kind: ChannelImageKind, attemptId: string, reason: string, now: number) {
    const c = KIND_COLUMNS[kind];
    const f = KIND_FIELDS[kind];
    const res = await this.db
      .update(channels)
      .set({ [f.attempt]: null, [f.failure]: reason, updatedAt: now })
      .where(and(eq(channels.userId, userId), eq(c.attempt, attemptId)))
      .run();
    return res.meta.changes > 0;
  }
}

function publicOf(userId: string): SQL[] {
  return [eq(videos.ownerId, userId), ...listableVideo()];
}
