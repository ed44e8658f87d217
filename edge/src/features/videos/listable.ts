import { eq, isNull, type SQL } from "drizzle-orm";
import { videos } from "../../db/schema.ts";
import { userNotSuspended } from "../../lib/suspension.ts";

/**
 * What anyone may find in a list (home, channel pages, feed, search, trending, related):
 * public, ready, not taken down by a moderator, and not from a suspended account. Every
 * listing query starts from these conditions so a takedown or a suspension hides a video
 * everywhere at once (issue 15, ADR 0024).
 */
export function listableVideo(): SQL[] {
  return [
    eq(videos.visibility, "public"),
    eq(videos.status, "ready"),
    isNull(videos.takenDownAt),
    userNotSuspended(videos.ownerId),
  ];
}
