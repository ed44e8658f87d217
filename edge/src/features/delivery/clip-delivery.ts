/**
 * Delivery of a clip (ADR 0027): the clip's signed path serves its SOURCE's files, so a
 * clip owns nothing in storage. Segments, init files and posters are the source's objects
 * as they are; the master is the source's master (without caption tracks: their cues are
 * timed from the source's start); each media playlist is the source's, cut to the clip's
 * range (clips/clip-range.ts). Captions, trick-play and DASH are not served for clips.
 *
 * The token was checked against the clip; the source must still admit the token's viewer
 * too: a source deleted, taken down or made private stops its clips at once for playlists
 * and within ACCESS_EPOCH_CACHE_SECONDS for segments, like the source's own links.
 */
import type { VideoRow } from "../../db/schema.ts";
import type { Services } from "../../lib/services.ts";
import {
  type AccessLookup,
  currentAccess,
  rememberAccess,
  type VideoAccess,
} from "../videos/access-epoch.ts";
import { canView } from "../videos/video-access.ts";
import type { VideosRepo } from "../videos/videos.repo.ts";
import { clipMediaPlaylist } from "./clip-range.ts";
import { parseMediaPlaylist } from "./dash-manifest.ts";

/** What to send for a clip's path: a source object, a generated playlist, or nothing (404). */
export type ClipFile = { key: string } | { playlist: string } | null;

/**
 * Whether the clip's source still admits `viewer` (its owner always; others while they may
 * see it). `fresh`: read the row itself (playlists), else through the per-isolate cache.
 */
export async function sourceAdmits(
  repo: AccessLookup,
  sourceId: string,
  viewer: string | null,
  cacheMs: number,
  fresh: boolean,
): Promise<boolean> {
  let access: VideoAccess | null;
  if (fresh) {
    access = (await repo.access(sourceId)) ?? null;
    rememberAccess(sourceId, access, cacheMs);
  } else {
    access = await currentAccess(repo, sourceId, cacheMs);
  }
  return !!access && !access.clipOf && canView(access, viewer);
}

export async function resolveClipFile(
  services: Pick<Services, "media">,
  repo: Pick<VideosRepo, "find">,
  clip: Pick<VideoRow, "clipOf" | "clipStartSec" | "clipEndSec"> | null,
  sourceId: string,
  path: string,
  ext: string,
): Promise<ClipFile> {
  if (ext === "vtt" || ext === "mpd" || path.startsWith("download/")) return null;
  if (path === "master.m3u8") {
    const source = await repo.find(sourceId);
    return source?.masterKey ? { key: source.masterKey } : null;
  }
  if (ext !== "m3u8") return { key: `videos/${sourceId}/${path}` };
  if (!clip || clip.clipStartSec === null || clip.clipEndSec === null) return null;
  const object = await services.media.get(`videos/${sourceId}/${path}`);
  const parsed = object ? parseMediaPlaylist(await new Response(object.body).text()) : null;
  const playlist =
    parsed && clipMediaPlaylist(parsed, { startSec: clip.clipStartSec, endSec: clip.clipEndSec });
  return playlist ? { playlist } : null;
}
