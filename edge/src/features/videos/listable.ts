import { eq, isNull, type SQL } from "drizzle-orm";
import { videos } from "../../db/schema.ts";

/**
 * What anyone may find in a list (home, channel pages, feed, search, trending, related):
 * public, ready and not taken down by a moderator. Every listing query starts from these
 * conditions so a takedown hides a video everywhere at once (issue 15).
 */
export function listableVideo(): SQL[] {
  return [eq(videos.visibility, "public"), eq(videos.status, "ready"), isNull(videos.takenDownAt)];
}
