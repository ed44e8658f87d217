/**
 * Notifications in D1 (ADR 0017). A new video's fan-out is set-based: each statement inserts
 * up to FANOUT_CHUNK rows straight from `subscriptions` (a keyset range of subscriber ids),
 * so 10,000 subscribers are 20 statements, not 10,000; `notifications_new_video_uq` makes a
 * redelivered message insert nothing.
 */
import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import {
  comments,
  type NotificationRow,
  notificationPresence,
  notifications,
  subscriptions,
  userPreferences,
  users,
  videos,
} from "../../db/schema.ts";
import { randomId } from "../../lib/ids.ts";

export const FANOUT_CHUNK = 500;
/** D1 binds at most 100 parameters per statement. */
export const MAX_IDS_PER_STATEMENT = 90;

export const newNotificationId = () => `n_${randomId(16)}`;
/** The same shape in SQL: `n_` and 16 characters of [0-9A-F]. */
const SQL_ID = sql`'n_' || hex(randomblob(8))`;

export interface Recipient {
  userId: string;
  email: string;
  handle: string;
}

export interface NotificationView extends NotificationRow {
  videoTitle: string | null;
  commentText: string | null;
}

export type NewNotification = Pick<
  NotificationRow,
  "userId" | "type" | "actorUserId" | "videoId" | "commentId"
> &
  Partial<Pick<NotificationRow, "detail">>;

export class NotificationsRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /**
   * Inserts `new_video` rows for the channel's subscribers with ids after `after`, at most
   * FANOUT_CHUNK; returns the last subscriber id of the range (null when none were left).
   */
  async fanOutChunk(videoId: string, channelId: string, after: string, now: number): Promise<string | null> {
    const boundary = await this.db
      .select({ id: subscriptions.subscriberId })
      .from(subscriptions)
      .where(and(eq(subscriptions.channelId, channelId), sql`${subscriptions.subscriberId} > ${after}`))
      .orderBy(subscriptions.subscriberId)
      .limit(1)
      .offset(FANOUT_CHUNK - 1)
      .get();
    const upper = boundary ? sql`and subscriber_id <= ${boundary.id}` : sql``;
    await this.db.run(sql`insert or ignore into notifications
      (id, user_id, type, actor_user_id, video_id, created_at)
      select ${SQL_ID}, subscriber_id, 'new_video', ${channelId}, ${videoId}, ${now}
      from subscriptions where channel_id = ${channelId} and subscriber_id > ${after} ${upper}`);
    return boundary?.id ?? null;
  }

  /** The rows of one naive fan-out step: one INSERT per subscriber (the bench's baseline). */
  async insertOne(n: NewNotification, now: number): Promise<NotificationRow | undefined> {
    return this.db
      .insert(notifications)
      .values({ ...n, id: newNotificationId(), createdAt: now })
      .onConflictDoNothing()
      .returning()
      .get();
  }

  /** Every subscriber of the channel (the naive baseline's loop). */
  async subscriberIds(channelId: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: subscriptions.subscriberId })
      .from(subscriptions)
      .where(eq(subscriptions.channelId, channelId))
      .all();
    return rows.map((r) => r.id);
  }

  /** Subscribers of the channel with a live notifications socket right now. */
  async onlineSubscribers(channelId: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: notificationPresence.userId })
      .from(notificationPresence)
      .innerJoin(
        subscriptions,
        and(
          eq(subscriptions.subscriberId, notificationPresence.userId),
          eq(subscriptions.channelId, channelId),
        ),
      )
      .all();
    return rows.map((r) => r.id);
  }

  async isOnline(userId: string): Promise<boolean> {
    const row = await this.db
      .select({ one: sql<number>`1` })
      .from(notificationPresence)
      .where(eq(notificationPresence.userId, userId))
      .get();
    return !!row;
  }

  async setPresence(userId: string, online: boolean, now: number): Promise<void> {
    if (online) {
      await this.db.insert(notificationPresence).values({ userId, since: now }).onConflictDoNothing().run();
    } else {
      await this.db.delete(notificationPresence).where(eq(notificationPresence.userId, userId)).run();
    }
  }

  /** Opted-in subscribers (mail preference on, address verified) of a channel. */
  async mailRecipients(channelId: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: subscriptions.subscriberId })
      .from(subscriptions)
      .innerJoin(users, eq(users.id, subscriptions.subscriberId))
      .leftJoin(userPreferences, eq(userPreferences.userId, subscriptions.subscriberId))
      .where(and(eq(subscriptions.channelId, channelId), ...optedIn()))
      .all();
    return rows.map((r) => r.id);
  }

  /** Of `userIds` (≤ MAX_IDS_PER_STATEMENT), the ones who want mail, with their address. */
  async recipients(userIds: string[]): Promise<Recipient[]> {
    if (!userIds.length) return [];
    return this.db
      .select({ userId: users.id, email: users.email, handle: users.handle })
      .from(users)
      .leftJoin(userPreferences, eq(userPreferences.userId, users.id))
      .where(and(inArray(users.id, userIds), ...optedIn()))
      .all();
  }

  /** Each user's `new_video` notification of `videoId` (≤ MAX_IDS_PER_STATEMENT users). */
  async forVideo(videoId: string, userIds: string[]): Promise<NotificationView[]> {
    if (!userIds.length) return [];
    return this.views().where(
      and(
        eq(notifications.videoId, videoId),
        eq(notifications.type, "new_video"),
        inArray(notifications.userId, userIds),
      ),
    );
  }

  async unreadCounts(userIds: string[]): Promise<Map<string, number>> {
    if (!userIds.length) return new Map();
    const rows = await this.db
      .select({ userId: notifications.userId, n: sql<number>`count(*)` })
      .from(notifications)
      .where(and(inArray(notifications.userId, userIds), isNull(notifications.readAt)))
      .groupBy(notifications.userId)
      .all();
    return new Map(rows.map((r) => [r.userId, Number(r.n)]));
  }

  async unreadCount(userId: string): Promise<number> {
    return (await this.unreadCounts([userId])).get(userId) ?? 0;
  }

  private views() {
    return this.db
      .select({
        ...TABLE_COLUMNS,
        videoTitle: videos.title,
        commentText: comments.text,
      })
      .from(notifications)
      .leftJoin(videos, eq(videos.id, notifications.videoId))
      .leftJoin(comments, eq(comments.id, notifications.commentId));
  }

  async find(id: string): Promise<NotificationView | undefined> {
    return (await this.views().where(eq(notifications.id, id)))[0];
  }

  /** The user's notifications, newest first (keyset on createdAt, id). */
  async list(
    userId: string,
    opts: { unread: boolean; limit: number; after?: { at: number; id: string } },
  ): Promise<NotificationView[]> {
    const { after } = opts;
    return this.views()
      .where(
        and(
          eq(notifications.userId, userId),
          opts.unread ? isNull(notifications.readAt) : undefined,
          after
            ? or(
                lt(notifications.createdAt, after.at),
                and(eq(notifications.createdAt, after.at), lt(notifications.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(opts.limit);
  }

  /** Marks the user's own notifications read (others' ids change nothing). */
  async markRead(userId: string, ids: string[] | "all", now: number): Promise<void> {
    await this.db
      .update(notifications)
      .set({ readAt: now })
      .where(
        and(
          eq(notifications.userId, userId),
          isNull(notifications.readAt),
          ids === "all" ? undefined : inArray(notifications.id, ids),
        ),
      )
      .run();
  }
}

const TABLE_COLUMNS = {
  id: notifications.id,
  userId: notifications.userId,
  type: notifications.type,
  actorUserId: notifications.actorUserId,
  videoId: notifications.videoId,
  commentId: notifications.commentId,
  detail: notifications.detail,
  createdAt: notifications.createdAt,
  readAt: notifications.readAt,
};

/** Mail preference on (the default) and a verified address. */
function optedIn() {
  return [
    sql`${users.emailVerifiedAt} is not null`,
    sql`coalesce(${userPreferences.emailNotifications}, 1) = 1`,
  ];
}
