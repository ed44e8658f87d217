/** Media descriptions shared by transcoder (producer) and edge (consumer). */
import { z } from "zod";

export const ProbeResult = z.object({
  durationSec: z.number().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Display width/height after rotation is applied. */
  displayWidth: z.number().int().positive(),
  displayHeight: z.number().int().positive(),
  rotation: z.number().int(),
  fps: z.number().nonnegative(),
  videoCodec: z.string(),
  pixelFormat: z.string().optional(),
  audioCodec: z.string().nullable(),
  hasAudio: z.boolean(),
  audioTracks: z.number().int().nonnegative(),
  bitrate: z.number().int().nonnegative().optional(),
  container: z.string().optional(),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

export const Rendition = z.object({
  /** e.g. "720p" */
  name: z.string().regex(/^[a-z0-9_-]+$/),
  kind: z.enum(["video", "audio"]).default("video"),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  /** Peak bits per second, as in #EXT-X-STREAM-INF BANDWIDTH. */
  bandwidth: z.number().int().positive(),
  averageBandwidth: z.number().int().positive(),
  codecs: z.string(),
  frameRate: z.number().nonnegative(),
  /** Playlist path relative to the video's output prefix, e.g. "720p/index.m3u8". */
  playlist: z.string(),
});
export type Rendition = z.infer<typeof Rendition>;
