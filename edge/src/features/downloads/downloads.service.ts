/**
 * Static MP4 downloads (ADR 0027): which rung a request means, who may have it, and the
 * lazy preparation — the first request for a rung claims it (download-state.ts) and queues
 * a `download` job; the fleet remuxes the rung's fMP4 segments into a faststart MP4 at
 * `videos/{id}/download/{rung}.mp4` and reports back (events.service.ts).
 */
import { type DownloadJobV1, downloadKey, outputPrefix, type Rendition } from "@streamline/contracts";
import type { VideoRow } from "../../db/schema.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newAttemptId } from "../../lib/ids.ts";
import type { Services } from "../../lib/services.ts";
import { queueOf } from "../jobs/jobs.service.ts";
import { downloadsEnabled } from "../videos/download-state.ts";
import { isOwner } from "../videos/video-access.ts";
import { renditionsOf } from "../videos/video-dto.ts";
import { VideosRepo } from "../videos/videos.repo.ts";

/** Seconds a client should wait before asking again while the MP4 is being made. */
export const PREPARING_RETRY_SEC = 5;

/** Video rungs a download may be made of: best first, H.264 before other codecs of the same height. */
export function downloadableRungs(row: Pick<VideoRow, "renditionsJson">): Rendition[] {
  const avc = (r: Rendition) => (r.codecs.startsWith("avc1") ? 0 : 1);
  return renditionsOf(row)
    .filter((r) => r.kind === "video")
    .sort((a, b) => b.height - a.height || avc(a) - avc(b));
}

/** The rung asked for (or the highest H.264 one); 404 for a name the video does not have. */
export function pickRung(row: Pick<VideoRow, "renditionsJson">, name: string | undefined): Rendition {
  const rungs = downloadableRungs(row);
  const rung = name
    ? rungs.find((r) => r.name === name)
    : (rungs.find((r) => r.codecs.startsWith("avc1")) ?? rungs[0]);
  if (!rung) {
    const names = rungs.map((r) => r.name).join(", ");
    throw new AppError(404, "not_found", `no rung ${name ?? ""} for this video (it has: ${names || "none"})`);
  }
  return rung;
}

/**
 * Who may download (the video itself is already visible to the caller): its owner always;
 * anyone else when downloads are on for it. Clips have no download of their own. Anything
 * else is the same 404 as a missing video, so whether a download exists never leaks.
 */
export function assertMayDownload(
  services: Pick<Services, "config">,
  video: VideoRow,
  userId: string | null | undefined,
): void {
  if (video.clipOf) throw new AppError(404, "not_found", "clips have no download; download the source video");
  if (!isOwner(video, userId) && !downloadsEnabled(video, services.config)) throw notFound();
  if (video.status !== "ready") throw new AppError(409, "not_ready", `video is ${video.status}`);
}

/** The fleet job for one rung. */
export function downloadJob(video: VideoRow, rung: Rendition, attemptId: string): DownloadJobV1 {
  const audio = renditionsOf(video).find((r) => r.kind === "audio");
  return {
    v: 1,
    type: "download",
    jobId: `d_${attemptId.slice(2)}`,
    videoId: video.id,
    attempt: 1,
    attemptId,
    rung: rung.name,
    playlists: { video: rung.playlist, ...(audio ? { audio: audio.playlist } : {}) },
    outputPrefix: outputPrefix(video.id),
    outputKey: downloadKey(video.id, rung.name),
    createdAt: new Date().toISOString(),
  };
}

/** Claims the rung and queues its job unless another request already did. */
export async function prepareDownload(
  services: Pick<Services, "db" | "env">,
  video: VideoRow,
  rung: Rendition,
  now = Date.now(),
): Promise<void> {
  const attemptId = newAttemptId();
  if (await new VideosRepo(services.db).claimDownload(video.id, rung.name, attemptId, now)) {
    await queueOf(services.env.JOBS).send(downloadJob(video, rung, attemptId));
  }
}
