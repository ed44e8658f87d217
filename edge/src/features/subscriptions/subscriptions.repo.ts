/**
 * Subscriptions and the feed in D1 (ADR 0017). The channel's `subscriber_count` moves in the
 * same batch (one transaction) as the row, by `changes()` of the insert or delete just made:
 * repeating a subscribe or an unsubscribe changes nothing.
 */
import { and, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import {
  channels,
  subscriptionEvents,
  subscriptions,
  users,
  type VideoRow,
  videos,
} from "../../db/schema.ts";

export interface Keyset {
  at: number;
  id: string;
}

export interface SubscriptionRowWithChannel {
  channelId: string;
  handle: string;
  displayName: string;
  avatarKey: string | null;
  subscriberCount: number;
  createdAt: number;
}

export class SubscriptionsRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  private countUpdate(channelId: string, sign: 1 | -1) {
    return this.db
      .update(channels)
      .set({ subscriberCount: sql`max(0, ${channels.subscriberCount} + ${sign} * changes())` })
      .where(eq(channels.userId, channelId));
  }

  /**
   * The raw event of a subscriber gained or lost (ADR 0023), only when the statement before it
   * changed a row; it changes one row exactly then, so the count update after it still moves by
   * `changes()`.
   */
  private event(channelId: string, delta: 1 | -1, at: number) {
    // Columns in table order: id (NULL: the next one), channel_id, delta, at.
    return this.db
      .insert(subscriptionEvents)
      .select(sql`SELECT NULL, ${channelId}, ${delta}, ${at} WHERE changes() > 0`);
  }

  /** Returns the channel's count after the write. */
  async subscribe(subscriberId: string, channelId: string, now: number): Promise<number> {
    const insert = this.db
      .insert(subscriptions)
      .values({ subscriberId, channelId, createdAt: now })
      .onConflictDoNothing();
    await this.db.batch([insert, this.event(channelId, 1, now), this.countUpdate(channelId, 1)]);
    return this.count(channelId);
  }

  async unsubscribe(subscriberId: string, channelId: string): Promise<number> {
    const remove = this.db
      .delete(subscriptions)
      .where(and(eq(subscriptions.subscriberId, subscriberId), eq(subscriptions.channelId, channelId)));
    await this.db.batch([remove, this.event(channelId, -1, Date.now()), this.countUpdate(channelId, -1)]);
    return this.count(channelId);
  }

  async count(channelId: string): Promise<number> {
    const row = await this.db
      .select({ n: channels.subscriberCount })
      .from(channels)
      .where(eq(channels.userId, channelId))
      .get();
    return row?.n ?? 0;
  }

  async isSubscribed(subscriberId: string, channelId: string): Promise<boolean> {
    const row = await this.db
      .select({ one: sql<number>`1` })
      .from(subscriptions)
      .where(and(eq(subscriptions.subscriberId, subscriberId), eq(subscriptions.channelId, channelId)))
      .get();
    return !!row;
  }

  /** The caller's subscriptions, newest first (keyset on createdAt, channel id). */
  async list(subscriberId: string, limit: number, after?: Keyset): Promise<SubscriptionRowWithChannel[]> {
    return this.db
      .select({
        channelId: subscriptions.channelId,
        handle: users.handle,
        displayName: channels.displayName,
        avatarKey: channels.avatarKey,
        subscriberCount: channels.subscriberCount,
        createdAt: subscriptions.createdAt,
      })
      .from(subscriptions)
      .innerJoin(channels, eq(channels.userId, subscriptions.channelId))
      .innerJoin(users, eq(users.id, subscriptions.channelId))
      .where(
        and(
          eq(subscriptions.subscriberId, subscriberId),
          after
            ? or(
                lt(subscriptions.createdAt, after.at),
                and(eq(subscriptions.createdAt, after.at), lt(subscriptions.channelId, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(subscriptions.createdAt), desc(subscriptions.channelId))
      .limit(limit)
      .all();
  }

  /**
   * The feed: published public ready videos of the subscribed channels, newest first, minus
   * those taken down or from a suspended account (listableVideo()'s rule, ADR 0024). Ids
   * first, from `videos_feed_idx` alone (partial and covering: per subscribed owner, newest
   * first, and SQLite merges them); `INDEXED BY` because without statistics the planner
   * prefers the two equalities of `videos_public_page_idx` and scans every public video
   * (ADR 0017 has both plans and the numbers). Then the rows of that one page.
   */
  async feed(subscriberId: string, limit: number, after?: Keyset): Promise<VideoRow[]> {
    const ids = await this.feedIds(subscriberId, limit, after);
    if (!ids.length) return [];
    const rows = await this.db.select().from(videos).where(inArray(videos.id, ids)).all();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async feedIds(subscriberId: string, limit: number, after?: Keyset): Promise<string[]> {
    const keyset = after
      ? sql`and (published_at < ${after.at} or (published_at = ${after.at} and id < ${after.id}))`
      : sql``;
    const rows = await this.db.all<{ id: string }>(sql`select id from videos indexed by videos_feed_idx
      where visibility = 'public' and status = 'ready' and published_at is not null
        and taken_down_at is null
        and owner_id in (select channel_id from subscriptions where subscriber_id = ${subscriberId})
        and not exists (select 1 from users where users.id = videos.owner_id and users.suspended_at is not null)
        ${keyset}
      order by published_at desc, id desc limit ${limit}`);
    return rows.map((r) => r.id);
  }
}
