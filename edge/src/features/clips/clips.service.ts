/**
 * Making a clip (ADR 0027): a new video row that owns nothing in storage. It names its
 * source (`clip_of`) and the range it plays, snapped to the source's segments; delivery
 * serves the source's files under the clip's own signed path, with media playlists cut to
 * the range (delivery/clip-delivery.ts). Ready at once: no job, no re-encode.
 *
 * Rules: the source must be ready and visible to the caller, and either the caller's own
 * (any visibility) or public (anyone may clip a public video, as on YouTube). A clip is
 * `unlisted` (shared by link, never listed) or `private`. A clip of a clip is refused.
 */
import type { CreateClipBody } from "@streamline/contracts";
import type { VideoRow } from "../../db/schema.ts";
import { AppError } from "../../lib/errors.ts";
import { newVideoId } from "../../lib/ids.ts";
import type { Services } from "../../lib/services.ts";
import { type ClipRange, snapToSegments } from "../delivery/clip-range.ts";
import { parseMediaPlaylist } from "../delivery/dash-manifest.ts";
import { isOwner } from "../videos/video-access.ts";
import { renditionsOf } from "../videos/video-dto.ts";
import type { NewVideo, VideosRepo } from "../videos/videos.repo.ts";

/** A request past the source's end by less than this is clamped (players report rounded durations). */
const END_TOLERANCE_SEC = 0.5;

const invalid = (path: string, message: string) =>
  new AppError(400, "validation_failed", "invalid request body", {
    issues: [{ path, message, code: "custom" }],
  });

/** Who may clip `source`: 404 for what the caller may not clip, 409 for what cannot be clipped yet. */
export function assertClippable(source: VideoRow, userId: string): void {
  if (!isOwner(source, userId) && source.visibility !== "public") {
    throw new AppError(404, "not_found", "video not found");
  }
  if (source.clipOf)
    throw new AppError(409, "not_clippable", "this is a clip; clip its source video instead");
  if (source.status !== "ready") throw new AppError(409, "not_ready", `video is ${source.status}`);
}

/** The requested range checked against the source's duration and snapped to its segments. */
export async function snappedRange(
  services: Pick<Services, "media">,
  source: VideoRow,
  body: Pick<CreateClipBody, "startSec" | "endSec">,
): Promise<ClipRange> {
  const duration = source.durationSec ?? 0;
  if (body.startSec >= duration) invalidRange("startSec", `startSec must be before the end (${duration} s)`);
  if (body.endSec > duration + END_TOLERANCE_SEC)
    invalidRange("endSec", `endSec must be at most the video's duration (${duration} s)`);
  const reference = renditionsOf(source).find((r) => r.kind === "video");
  const object = reference ? await services.media.get(`videos/${source.id}/${reference.playlist}`) : null;
  const playlist = object ? parseMediaPlaylist(await new Response(object.body).text()) : null;
  if (!playlist) throw new AppError(409, "not_clippable", "this video's segments cannot be read");
  const range = snapToSegments(playlist, {
    startSec: body.startSec,
    endSec: Math.min(body.endSec, duration),
  });
  if (!range) invalidRange("startSec", "the range holds no segment of this video");
  return range!;
}

function invalidRange(path: string, message: string): never {
  throw invalid(path, message);
}

/** The clip's row: the source's picture and renditions, its own id, title and range. */
export function clipRow(
  source: VideoRow,
  ownerId: string,
  title: string,
  range: ClipRange,
  now: number,
): NewVideo {
  return {
    id: newVideoId(),
    ownerId,
    title,
    visibility: "unlisted",
    status: "ready",
    playable: true,
    filename: "clip",
    contentType: "video/mp4",
    size: 0,
    partSize: 0,
    partCount: 0,
    uploadExpiresAt: now,
    durationSec: range.endSec - range.startSec,
    width: source.width,
    height: source.height,
    renditionsJson: source.renditionsJson,
    masterKey: source.masterKey,
    posterKey: source.posterKey,
    posterWebpKey: source.posterWebpKey,
    posterSizesJson: source.posterSizesJson,
    clipOf: source.id,
    clipStartSec: range.startSec,
    clipEndSec: range.endSec,
    createdAt: now,
    updatedAt: now,
    readyAt: now,
  };
}

export async function createClip(
  services: Pick<Services, "media">,
  repo: Pick<VideosRepo, "insert" | "find">,
  source: VideoRow,
  userId: string,
  body: CreateClipBody,
): Promise<VideoRow> {
  assertClippable(source, userId);
  const range = await snappedRange(services, source, body);
  const row = clipRow(source, userId, body.title, range, Date.now());
  await repo.insert(row);
  const stored = await repo.find(row.id);
  if (!stored) throw new Error("clip row vanished after insert");
  return stored;
}
