/**
 * Custom posters: `PUT /api/videos/:id/poster` (owner; raw JPEG/PNG/WebP ≤ 10 MiB). The
 * edge checks the bytes really are that image type, stores the original, and queues a
 * `poster` job; the fleet resizes it to JPEG + WebP and reports back (events.service.ts),
 * after which `thumbnailUrl` points at it.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { outputPrefix, PosterUploadResponse, posterSourceKey, VideoId } from "@streamline/contracts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newAttemptId } from "../../lib/ids.ts";
import { acceptedImageType, MAX_IMAGE_UPLOAD_BYTES, sniffImage } from "../../lib/image-sniff.ts";
import { BEARER, BINARY, errorDoc, errors, json, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO_ID } from "../../lib/openapi-examples.ts";
import { apiBodyLimit } from "../../middleware/body-limit/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { emailUnverifiedDoc, requireVerifiedEmail } from "../auth/email-verification.ts";
import { queueOf } from "../jobs/jobs.service.ts";
import { isOwner } from "../videos/video-access.ts";
import { VideosRepo } from "../videos/videos.repo.ts";

export const MAX_POSTER_BYTES = MAX_IMAGE_UPLOAD_BYTES;
/** Kept here for existing importers; the one implementation is lib/image-sniff.ts. */
export { sniffImage };

const upload = createRoute({
  method: "put",
  path: "/{id}/poster",
  tags: ["videos"],
  summary: "Upload a custom poster (owner only); the fleet resizes it",
  security: BEARER,
  middleware: [
    apiBodyLimit(MAX_POSTER_BYTES),
    requireAuth(),
    rateLimit("RL_MEDIA_UPLOADS", (c) => c.var.userId),
    requireVerifiedEmail(),
  ] as const,
  request: {
    params: z.object({ id: VideoId.meta({ example: VIDEO_ID }) }),
    body: {
      required: true,
      description: `The image, at most ${MAX_POSTER_BYTES} bytes; its bytes must match its type`,
      content: {
        "image/jpeg": { schema: BINARY },
        "image/png": { schema: BINARY },
        "image/webp": { schema: BINARY },
      },
    },
  },
  responses: {
    202: json(PosterUploadResponse, "Stored; resizing is queued", { status: "processing" }),
    ...errors(401, 404, 413, 429),
    403: emailUnverifiedDoc,
    415: errorDoc(415, { message: "posters must be JPEG, PNG or WebP images" }),
  },
});

export const postersRoutes = openApiRouter().openapi(upload, async (c) => {
  const { id } = c.req.valid("param");
  const repo = new VideosRepo(c.var.services.db);
  const video = await repo.find(id);
  if (!video || !isOwner(video, c.var.userId)) throw notFound();
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  const actual = acceptedImageType(c.req.header("content-type"), bytes);
  if (!actual) {
    throw new AppError(415, "unsupported_media_type", "posters must be JPEG, PNG or WebP images");
  }
  const { store, env } = c.var.services;
  await store.put(posterSourceKey(id), bytes, { contentType: actual });
  const attemptId = newAttemptId();
  await repo.update(id, { posterAttemptId: attemptId });
  await queueOf(env.JOBS).send({
    v: 1,
    type: "poster",
    jobId: `p_${attemptId.slice(2)}`,
    videoId: id,
    attempt: 1,
    attemptId,
    source: { key: posterSourceKey(id) },
    outputPrefix: outputPrefix(id),
    createdAt: new Date().toISOString(),
  });
  return c.json({ status: "processing" as const }, 202);
});
