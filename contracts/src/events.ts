/**
 * Events the transcoder POSTs (signed) to the edge while it works on an attempt.
 * The edge applies them to D1 and to the video's Durable Object.
 */
import { z } from "zod";
import { RequestId } from "./correlation.ts";
import { FailureCode } from "./failures.ts";
import { VideoId } from "./jobs.ts";
import { ProbeResult, Rendition } from "./media.ts";
import { relativeKeyProblem, videoKeyProblem } from "./video-keys.ts";

const base = {
  v: z.literal(1),
  videoId: VideoId,
  jobId: z.string().min(1).max(64),
  attempt: z.number().int().min(1),
  attemptId: z.string().min(8).max(64),
  /** Monotonic per attempt so the edge can drop reordered duplicates. */
  seq: z.number().int().nonnegative(),
  at: z.string().datetime(),
  /** The request id the dispatch carried (`x-request-id`), echoed for the edge's logs (ADR 0028). */
  requestId: RequestId.optional(),
};

export const HeartbeatEvent = z.object({ ...base, type: z.literal("heartbeat"), node: z.string() });
export const ProbedEvent = z.object({ ...base, type: z.literal("probed"), probe: ProbeResult });
export const ProgressEvent = z.object({
  ...base,
  type: z.literal("progress"),
  /** 0..100 over the whole job. */
  percent: z.number().min(0).max(100),
  stage: z.enum(["download", "probe", "encode", "upload", "thumbnails"]),
  fps: z.number().nonnegative().optional(),
  speed: z.number().nonnegative().optional(),
  etaSec: z.number().nonnegative().optional(),
  rendition: z.string().optional(),
});
export const RenditionReadyEvent = z.object({
  ...base,
  type: z.literal("rendition"),
  rendition: Rendition,
  /** Master playlist key currently valid (rewritten as rungs appear). */
  masterKey: z.string(),
});
export const Trickplay = z.object({
  /** WebVTT whose cues point at `sprite-N.jpg#xywh=…` beside it. */
  vttKey: z.string(),
  spriteKeys: z.array(z.string()),
  intervalSec: z.number().positive(),
});
export type Trickplay = z.infer<typeof Trickplay>;

/**
 * One width of the poster (WebP, ADR 0033): the fleet renders 320, 640 and 1280 px wide, never
 * wider than its source (a narrower source adds its own width), for the site's `srcset`.
 */
export const PosterSizeKey = z.object({
  key: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type PosterSizeKey = z.infer<typeof PosterSizeKey>;

export const DoneEvent = z.object({
  ...base,
  type: z.literal("done"),
  probe: ProbeResult,
  renditions: z.array(Rendition).min(1),
  masterKey: z.string(),
  posterKey: z.string().nullable(),
  /** The poster at several widths, narrowest first (absent from older nodes, or when it failed). */
  posterSizes: z.array(PosterSizeKey).optional(),
  trickplay: Trickplay.optional(),
  /** True when the master offers an audio-only variant. */
  audioOnly: z.boolean().optional(),
});
/** A poster job's result (job type "poster"): resized JPEG + WebP. */
export const PosterReadyEvent = z.object({
  ...base,
  type: z.literal("poster"),
  posterKey: z.string(),
  posterWebpKey: z.string().nullable(),
  /** The custom poster at several widths, narrowest first (absent from older nodes). */
  posterSizes: z.array(PosterSizeKey).optional(),
});
/** A download job's result (job type "download"): the faststart MP4 of one rung (ADR 0027). */
export const DownloadReadyEvent = z.object({
  ...base,
  type: z.literal("download"),
  rung: z.string().regex(/^[a-z0-9_-]{1,20}$/),
  key: z.string(),
  sizeBytes: z.number().int().positive(),
  durationSec: z.number().nonnegative(),
});
export const FailedEvent = z.object({
  ...base,
  type: z.literal("failed"),
  /** For the owner: sanitized (no URLs, hosts, paths, raw ffmpeg lines); the edge sanitizes again. */
  reason: z.string().min(1).max(2000),
  /** What viewers are told (contracts/failures.ts); absent from older nodes (the edge infers one). */
  code: FailureCode.optional(),
  /** false = the input itself is bad (not a video, corrupt); retrying will not help. */
  retryable: z.boolean(),
});

const EventUnion = z.discriminatedUnion("type", [
  HeartbeatEvent,
  ProbedEvent,
  ProgressEvent,
  RenditionReadyEvent,
  DoneEvent,
  FailedEvent,
  PosterReadyEvent,
  DownloadReadyEvent,
]);
type Path = (string | number)[];

const posterSizeKeys = (sizes: PosterSizeKey[] | undefined) =>
  (sizes ?? []).map((s, i): [Path, string] => [["posterSizes", i, "key"], s.key]);

/** Every storage key an event names, with where it sits in the event (for the issue path). */
function storageKeys(ev: z.infer<typeof EventUnion>): [Path, string | null | undefined][] {
  switch (ev.type) {
    case "rendition":
      return [[["masterKey"], ev.masterKey]];
    case "download":
      return [[["key"], ev.key]];
    case "poster":
      return [
        [["posterKey"], ev.posterKey],
        [["posterWebpKey"], ev.posterWebpKey],
        ...posterSizeKeys(ev.posterSizes),
      ];
    case "done":
      return [
        [["masterKey"], ev.masterKey],
        [["posterKey"], ev.posterKey],
        ...posterSizeKeys(ev.posterSizes),
        [["trickplay", "vttKey"], ev.trickplay?.vttKey],
        ...(ev.trickplay?.spriteKeys ?? []).map((k, i): [Path, string] => [
          ["trickplay", "spriteKeys", i],
          k,
        ]),
      ];
    default:
      return [];
  }
}

/** Rendition playlists (relative to the video's prefix) an event names. */
function playlists(ev: z.infer<typeof EventUnion>): [Path, string][] {
  if (ev.type === "rendition") return [[["rendition", "playlist"], ev.rendition.playlist]];
  if (ev.type === "done") return ev.renditions.map((r, i) => [["renditions", i, "playlist"], r.playlist]);
  return [];
}

/** Keys must sit under `videos/<videoId>/` (ADR 0010); playlists are safe relative paths. */
function keysUnderVideo(ev: z.infer<typeof EventUnion>, ctx: z.RefinementCtx) {
  for (const [path, key] of storageKeys(ev)) {
    const problem = typeof key === "string" ? videoKeyProblem(ev.videoId, key) : undefined;
    if (problem) ctx.addIssue({ code: "custom", path, message: `${path.join(".")} ${problem}` });
  }
  for (const [path, rel] of playlists(ev)) {
    const problem = relativeKeyProblem(rel);
    if (problem) ctx.addIssue({ code: "custom", path, message: `${path.join(".")} ${problem}` });
  }
}

export const TranscoderEvent = EventUnion.superRefine(keysUnderVideo);
export type TranscoderEvent = z.infer<typeof TranscoderEvent>;
export type TranscoderEventType = TranscoderEvent["type"];

/**
 * A channel-image job's one terminal event (job type "channel-image"): the rendered set's
 * prefix, or why it failed. Signed and sent to the same intake as video events.
 */
const channelImageBase = {
  v: z.literal(1),
  userId: z.string().regex(/^u_[A-Za-z0-9]{16}$/, "not a user id"),
  kind: z.enum(["avatar", "banner"]),
  jobId: z.string().min(1).max(64),
  attemptId: z.string().min(8).max(64),
  at: z.string().datetime(),
  requestId: RequestId.optional(),
};
export const ChannelImageEvent = z.discriminatedUnion("type", [
  z.object({
    ...channelImageBase,
    type: z.literal("channel-image"),
    /** Must be `channels/<userId>/<kind>/<attemptId>/` (checked by the edge). */
    keyPrefix: z.string().min(1).max(200),
  }),
  z.object({
    ...channelImageBase,
    type: z.literal("channel-image-failed"),
    reason: z.string().min(1).max(2000),
  }),
]);
export type ChannelImageEvent = z.infer<typeof ChannelImageEvent>;

/** True when a raw event body is a channel-image event (the intake picks the schema by `type`). */
export function isChannelImageEventType(raw: unknown): boolean {
  const type = (raw as { type?: unknown } | null)?.type;
  return type === "channel-image" || type === "channel-image-failed";
}
