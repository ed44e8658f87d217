/**
 * Revocation of playback links. A video's `access_epoch` goes up whenever it loses viewers,
 * that is when it is made private (public → unlisted takes nobody's access away: both admit
 * anyone holding the id; a deletion removes the row, which refuses every token). Every
 * playback token carries the epoch it was issued under, and every delivery request asks
 * `tokenStillGrants` against the video's current access. Segments and images read that
 * access through a per-isolate cache (ACCESS_EPOCH_CACHE_SECONDS), so a burst of segment
 * requests costs one small D1 query per video per isolate; a change made in this isolate
 * is written straight into the cache, other isolates see it within the cache lifetime.
 * The bound and its cost: docs/adr/0003-signed-delivery-tokens-in-the-path.md.
 */
import type { VideoRow } from "../../db/schema.ts";
import { canView, isOwner } from "./video-access.ts";

/**
 * What delivery needs to know about a video to honour a token; `null`: no such video.
 * `takenDownAt` hides it from all but its owner; `clipOf` names a clip's source, whose own
 * access is checked as well (delivery/clip-delivery.ts).
 */
export type VideoAccess = Pick<VideoRow, "ownerId" | "visibility" | "accessEpoch"> &
  Partial<Pick<VideoRow, "takenDownAt" | "clipOf">>;

export interface AccessLookup {
  access(videoId: string): Promise<VideoAccess | undefined>;
}

/**
 * Whether a token issued to `viewer` under `epoch` still opens the video. The owner's own
 * tokens always do; anyone else's need the video still visible to them and an epoch no
 * older than the current one. (A newer one means this isolate's cached epoch is stale and
 * the token was issued from a fresher read: it is honoured.)
 */
export function tokenStillGrants(
  access: VideoAccess | null | undefined,
  token: { viewer: string | null; epoch: number },
): boolean {
  if (!access) return false;
  if (isOwner(access, token.viewer)) return true;
  return canView(access, token.viewer) && token.epoch >= access.accessEpoch;
}

const MAX_ENTRIES = 10_000;
/**
 * Plain values only, never a pending promise: workerd ties a promise's I/O to the request
 * that started it, so sharing one lookup between concurrent requests hangs the others
 * once the first request ends. A cold burst therefore costs one query per request, once.
 */
type Entry = { access: VideoAccess | null; until: number };
const cache = new Map<string, Entry>();

function remember(videoId: string, access: VideoAccess | null, until: number) {
  cache.delete(videoId);
  cache.set(videoId, { access: access && accessOf(access), until });
  // Maps iterate in insertion order: the first key is the oldest.
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
}

const accessOf = (row: VideoAccess): VideoAccess => ({
  ownerId: row.ownerId,
  visibility: row.visibility,
  accessEpoch: row.accessEpoch,
  ...(row.takenDownAt != null ? { takenDownAt: row.takenDownAt } : {}),
  ...(row.clipOf ? { clipOf: row.clipOf } : {}),
});

/** The video's access as this isolate last read it, at most `cacheMs` old. */
export async function currentAccess(
  lookup: AccessLookup,
  videoId: string,
  cacheMs: number,
  now = Date.now(),
): Promise<VideoAccess | null> {
  const hit = cache.get(videoId);
  if (hit && hit.until > now) return hit.access;
  const access = (await lookup.access(videoId)) ?? null;
  if (cacheMs > 0) remember(videoId, access, now + cacheMs);
  return access && accessOf(access);
}

/**
 * Writes what this isolate just learned (a fresh row read by a playlist request, an edit,
 * a deletion: `null`) into the cache, so this isolate acts on it at once.
 */
export function rememberAccess(
  videoId: string,
  access: VideoAccess | null,
  cacheMs: number,
  now = Date.now(),
): void {
  if (cacheMs > 0) remember(videoId, access, now + cacheMs);
}

/** Tests only: start from a cold isolate. */
export function clearAccessCache(): void {
  cache.clear();
}
