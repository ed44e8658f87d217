/** Messages the edge pushes to WebSocket watchers of a video. */
import { z } from "zod";
import { ProgressFields, VideoStatus } from "./api.ts";
import { FailureCode } from "./failures.ts";
import { Rendition } from "./media.ts";

export const WsMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("status"),
    status: VideoStatus,
    playable: z.boolean(),
    /** The vocabulary sentence of `failureCode` (never the owner's detail: every watcher gets it). */
    failureReason: z.string().optional(),
    failureCode: FailureCode.optional(),
  }),
  ProgressFields.extend({ type: z.literal("progress") }),
  z.object({ type: z.literal("rendition"), rendition: Rendition }),
  /** Upload progress as the edge records part ETags (the server-side truth, shared by every tab). */
  z.object({
    type: z.literal("upload"),
    partsDone: z.number().int().nonnegative(),
    partCount: z.number().int().positive(),
    uploadedBytes: z.number().int().nonnegative(),
    size: z.number().int().nonnegative(),
  }),
  z.object({ type: z.literal("ready") }),
  /** `reason`: the vocabulary sentence of `code`. */
  z.object({ type: z.literal("failed"), reason: z.string(), code: FailureCode.optional() }),
]);
export type WsMessage = z.infer<typeof WsMessage>;
