/**
 * Who may see and who may change a video: the one visibility rule every feature asks
 * (metadata, playback, captions, progress, uploads).
 */
import type { VideoRow } from "../../db/schema.ts";

/**
 * Who may see a video (metadata, playback tokens, progress): `private` → its owner only;
 * `unlisted` and `public` → anyone who has the id (only `public` ones are ever listed).
 * A video a moderator took down is its owner's only, whatever its visibility (ADR 0024).
 * Callers answer 404 when this is false, so a private video's existence never leaks.
 */
export function canView(
  video: Pick<VideoRow, "visibility" | "ownerId"> & { takenDownAt?: number | null },
  userId: string | null | undefined,
): boolean {
  if (video.takenDownAt != null) return isOwner(video, userId);
  return video.visibility !== "private" || isOwner(video, userId);
}

/** Uploads, edits, deletion: the owner only. Videos without an owner belong to nobody. */
export function isOwner(video: Pick<VideoRow, "ownerId">, userId: string | null | undefined): boolean {
  return !!userId && video.ownerId === userId;
}
