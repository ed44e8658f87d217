/** Public HTTP API bodies and responses (edge ↔ browser/site). */
import { z } from "zod";
import { Rendition } from "./media.ts";

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const VideoStatus = z.enum(["uploading", "queued", "processing", "ready", "failed"]);
export type VideoStatus = z.infer<typeof VideoStatus>;

export const CreateUploadBody = z.object({
  filename: z.string().trim().min(1).max(255),
  size: z.number().int().positive(),
  contentType: z.string().trim().min(1).max(127),
  title: z.string().trim().min(1).max(200).optional(),
});
export type CreateUploadBody = z.infer<typeof CreateUploadBody>;

export const PartUrl = z.object({ partNumber: z.number().int().min(1).max(10_000), url: z.string().url() });

export const CreateUploadResponse = z.object({
  videoId: z.string(),
  partSize: z.number().int().positive(),
  partCount: z.number().int().positive(),
  parts: z.array(PartUrl),
  expiresAt: z.string(),
});
export type CreateUploadResponse = z.infer<typeof CreateUploadResponse>;

export const PartUrlsBody = z.object({
  partNumbers: z.array(z.number().int().min(1).max(10_000)).min(1).max(1000),
});

export const RecordPartBody = z.object({
  etag: z.string().trim().min(1).max(200),
  size: z.number().int().positive(),
});

export const UploadStateResponse = z.object({
  videoId: z.string(),
  status: VideoStatus,
  size: z.number().int(),
  partSize: z.number().int(),
  partCount: z.number().int(),
  parts: z.array(z.object({ partNumber: z.number().int(), etag: z.string(), size: z.number().int() })),
  uploadedBytes: z.number().int(),
  expiresAt: z.string(),
});
export type UploadStateResponse = z.infer<typeof UploadStateResponse>;

export const VideoProgress = z.object({
  stage: z.string(),
  percent: z.number(),
  fps: z.number().optional(),
  speed: z.number().optional(),
  etaSec: z.number().optional(),
  rendition: z.string().optional(),
  updatedAt: z.string(),
});

export const VideoDto = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  visibility: z.enum(["public", "unlisted", "private"]),
  status: VideoStatus,
  playable: z.boolean(),
  failureReason: z.string().optional(),
  durationSec: z.number().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  renditions: z.array(Rendition),
  thumbnailUrl: z.string().nullable(),
  playback: z.object({ hls: z.string(), expiresAt: z.string() }).optional(),
  progress: VideoProgress.optional(),
  createdAt: z.string(),
});
export type VideoDto = z.infer<typeof VideoDto>;

export const UpdateVideoBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    description: z.string().max(5000),
    visibility: z.enum(["public", "unlisted", "private"]),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to update");

export const HealthResponse = z.object({
  ok: z.boolean(),
  components: z.object({
    d1: z.object({ ok: z.boolean(), detail: z.string().optional() }),
    storage: z.object({ ok: z.boolean(), detail: z.string().optional() }),
    queue: z.object({ ok: z.boolean(), detail: z.string().optional() }),
    transcoder: z.object({ ok: z.boolean(), detail: z.string().optional() }),
  }),
});
