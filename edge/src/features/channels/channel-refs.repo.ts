/**
 * D1 access for what a video shows of its channel (`VideoDto.channel`), apart from
 * channels.repo.ts: every video listing needs it, and channels.repo.ts reads the videos
 * feature's listing rules — kept apart, videos → channels never leads back into videos.
 */
import { eq, inArray } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { channels, users } from "../../db/schema.ts";

/** What a video's DTO shows of its channel. */
export interface ChannelRefRow {
  userId: string;
  handle: string;
  displayName: string;
  avatarKey: string | null;
}

/** The channels of several users at once (a page of videos). */
export async function channelRefRows(db: Database, userIds: string[]): Promise<ChannelRefRow[]> {
  if (userIds.length === 0) return [];
  return db
    .select({
      userId: channels.userId,
      handle: users.handle,
      displayName: channels.displayName,
      avatarKey: channels.avatarKey,
    })
    .from(channels)
    .innerJoin(users, eq(users.id, channels.userId))
    .where(inArray(channels.userId, userIds))
    .all();
}
