/**
 * Job payloads the edge hands to the transcoder fleet (via the queue consumer).
 * Versioned discriminated union: add a new `v` rather than changing an existing one.
 */
import { z } from "zod";
import { RequestId } from "./correlation.ts";

export const VIDEO_ID_PATTERN = /^v_[A-Za-z0-9]{16}$/;
export const VideoId = z.string().regex(VIDEO_ID_PATTERN, "not a video id");

export const TranscodeJobV1 = z.object({
  v: z.literal(1),
  type: z.literal("transcode"),
  /** Stable for the video: every attempt of the same upload shares it. */
  jobId: z.string().min(1).max(64),
  videoId: VideoId,
  /** 1-based; bumped by the lease re-enqueue. */
  attempt: z.number().int().min(1).max(100),
  /** Unique per attempt; events from another attempt are ignored by the edge. */
  attemptId: z.string().min(8).max(64),
  source: z.object({
    key: z.string().min(1),
    size: z.number().int().nonnegative(),
    contentType: z.string(),
  }),
  /** Storage prefix every output goes under, e.g. `videos/v_abc/`. */
  outputPrefix: z.string().regex(/^videos\/v_[A-Za-z0-9]{16}\/$/),
  createdAt: z.string().datetime(),
  /** The edge request (or cron run) that started this attempt, for the logs (ADR 0028). */
  requestId: RequestId.optional(),
});
export type TranscodeJobV1 = z.infer<typeof TranscodeJobV1>;

/** Resize an owner-uploaded poster image into `poster-{n}.jpg` + `.webp` under the output prefix. */
export const PosterJobV1 = z.object({
  v: z.literal(1),
  type: z.literal("poster"),
  jobId: z.string().min(1).max(64),
  videoId: VideoId,
  attempt: z.number().int().min(1).max(100),
  attemptId: z.string().min(8).max(64),
  source: z.object({ key: z.string().min(1) }),
  outputPrefix: z.string().regex(/^videos\/v_[A-Za-z0-9]{16}\/$/),
  createdAt: z.string().datetime(),
  /** The edge request (or cron run) that started this attempt, for the logs (ADR 0028). */
  requestId: RequestId.optional(),
});
export type PosterJobV1 = z.infer<typeof PosterJobV1>;

/**
 * Render a channel's uploaded avatar or banner into the sizes pages use (contracts/channels.ts)
 * under `outputPrefix` (`channels/<userId>/<kind>/<attemptId>/`). Belongs to a user, not a video.
 */
export const ChannelImageJobV1 = z.object({
  v: z.literal(1),
  type: z.literal("channel-image"),
  jobId: z.string().min(1).max(64),
  userId: z.string().regex(/^u_[A-Za-z0-9]{16}$/, "not a user id"),
  kind: z.enum(["avatar", "banner"]),
  attempt: z.number().int().min(1).max(100),
  attemptId: z.string().min(8).max(64),
  source: z.object({ key: z.string().min(1) }),
  outputPrefix: z.string().regex(/^channels\/u_[A-Za-z0-9]{16}\/(avatar|banner)\/a_[A-Za-z0-9_-]{8,60}\/$/),
  createdAt: z.string().datetime(),
  requestId: RequestId.optional(),
});
export type ChannelImageJobV1 = z.infer<typeof ChannelImageJobV1>;

/** A relative playlist path under the video's prefix (`720p/index.m3u8`). */
const PlaylistPath = z.string().regex(/^[a-z0-9_-]{1,20}\/[A-Za-z0-9_-]{1,40}\.m3u8$/);

/**
 * Remux one rung's fMP4 segments (and the shared audio rendition's) into one faststart MP4
 * at `outputKey` (`videos/{id}/download/{rung}.mp4`), `-c copy`: no re-encode (ADR 0027).
 */
export const DownloadJobV1 = z.object({
  v: z.literal(1),
  type: z.literal("download"),
  jobId: z.string().min(1).max(64),
  videoId: VideoId,
  attempt: z.number().int().min(1).max(100),
  attemptId: z.string().min(8).max(64),
  rung: z.string().regex(/^[a-z0-9_-]{1,20}$/),
  /** Media playlists relative to `outputPrefix`: the rung's, and the audio rendition's if any. */
  playlists: z.object({ video: PlaylistPath, audio: PlaylistPath.optional() }),
  outputPrefix: z.string().regex(/^videos\/v_[A-Za-z0-9]{16}\/$/),
  outputKey: z.string().regex(/^videos\/v_[A-Za-z0-9]{16}\/download\/[a-z0-9_-]{1,20}\.mp4$/),
  createdAt: z.string().datetime(),
  requestId: RequestId.optional(),
});
export type DownloadJobV1 = z.infer<typeof DownloadJobV1>;

export const Job = z.discriminatedUnion("type", [
  TranscodeJobV1,
  PosterJobV1,
  ChannelImageJobV1,
  DownloadJobV1,
]);
export type Job = z.infer<typeof Job>;

/** What a job works on, for logs and the fleet registry: its video, or a channel image's user. */
export function jobSubject(job: Job): string {
  return job.type === "channel-image" ? job.userId : job.videoId;
}

export function sourceKey(videoId: string): string {
  return `uploads/${videoId}/source`;
}

export function posterSourceKey(videoId: string): string {
  return `uploads/${videoId}/poster-source`;
}

export function outputPrefix(videoId: string): string {
  return `videos/${videoId}/`;
}
