/** HTTP surface of direct-to-storage uploads (thin: parse, call the service, shape). */
import { createRoute, z } from "@hono/zod-openapi";
import {
  CreateUploadBody,
  CreateUploadResponse,
  PartNumber,
  PartUrlsBody,
  PartUrlsResponse,
  RecordPartBody,
  UploadStateResponse,
  VideoDto,
  VideoId,
} from "@streamline/contracts";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import {
  BEARER,
  errorDoc,
  errors,
  json,
  jsonBody,
  openApiRouter,
  validationHook,
} from "../../lib/openapi.ts";
import { VIDEO, VIDEO_ID } from "../../lib/openapi-examples.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { emailUnverifiedDoc, requireVerifiedEmail } from "../auth/email-verification.ts";
import { channelRefOf } from "../channels/channel-refs.ts";
import { queueOf } from "../jobs/jobs.service.ts";
import { PreferencesRepo } from "../preferences/preferences.repo.ts";
import { roomNotifier } from "../progress/room-notifier.ts";
import { toVideoDto } from "../videos/video-dto.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { webhooks } from "../webhooks/emit.ts";
import { UploadsRepo } from "./uploads.repo.ts";
import { UploadsService } from "./uploads.service.ts";

function uploadsService(c: { var: AppEnv["Variables"] }) {
  const { db, store, config, env } = c.var.services;
  return new UploadsService({
    repo: new VideosRepo(db),
    usage: new UploadsRepo(db),
    store,
    queue: queueOf(env.JOBS),
    room: roomNotifier(env, config.JOB_LEASE_SECONDS * 1000),
    preferences: new PreferencesRepo(db),
    webhooks: webhooks(env),
    config,
  });
}

const tags = ["uploads"];
const params = z.object({ videoId: VideoId.meta({ example: VIDEO_ID }) });
const partUrl = `http://127.0.0.1:9000/streamline/uploads/${VIDEO_ID}/source?partNumber=1&uploadId=…&X-Amz-Signature=…`;
const expiresAt = "2026-11-24T10:00:00.000Z";
const ownerOnly = { security: BEARER, tags };

const create = createRoute({
  ...ownerOnly,
  method: "post",
  path: "/",
  summary: "Start an upload: a video in `uploading` and presigned part URLs",
  description:
    "Each part URL accepts exactly its part's planned length (Content-Length is signed); the per-user storage quota and unfinished-upload cap apply.",
  middleware: [rateLimit("RL_UPLOADS", (c) => c.var.userId), requireVerifiedEmail()] as const,
  request: {
    body: jsonBody(CreateUploadBody, {
      filename: "clip.mp4",
      size: 9437184,
      contentType: "video/mp4",
      title: "My clip",
      tags: ["timelapse"],
      category: "travel",
    }),
  },
  responses: {
    201: json(CreateUploadResponse, "Upload session", {
      videoId: VIDEO_ID,
      partSize: 8388608,
      partCount: 2,
      parts: [{ partNumber: 1, url: partUrl }],
      expiresAt,
    }),
    ...errors(400, 401, 415, 429, 503),
    403: emailUnverifiedDoc,
    409: errorDoc(409, {
      description: "Too many unfinished uploads (MAX_UNFINISHED_UPLOADS): complete or abort one first",
      code: "too_many_unfinished_uploads",
      message: "you have 5 unfinished uploads (the limit is 5); complete or abort one first",
    }),
    413: errorDoc(413, {
      description:
        "`upload_too_large` (over MAX_UPLOAD_BYTES) or `quota_exceeded` (over USER_STORAGE_QUOTA_BYTES; `issues[0]` has requestedBytes, usedBytes, limitBytes)",
      code: "quota_exceeded",
      message: "this upload needs 9437184 bytes; you use 53682896896 of your 53687091200-byte quota",
    }),
  },
});

const urls = createRoute({
  ...ownerOnly,
  method: "post",
  path: "/{videoId}/urls",
  summary: "Fresh presigned URLs for some parts (resume, expiry)",
  middleware: [rateLimit("RL_UPLOAD_URLS", (c) => c.var.userId)] as const,
  request: { params, body: jsonBody(PartUrlsBody, { partNumbers: [2] }) },
  responses: {
    200: json(PartUrlsResponse, "Presigned URLs", { parts: [{ partNumber: 2, url: partUrl }], expiresAt }),
    ...errors(400, 401, 404, 409, 413, 415, 429),
  },
});

const recordPart = createRoute({
  ...ownerOnly,
  method: "put",
  path: "/{videoId}/parts/{n}",
  summary: "Record a part the browser uploaded (its ETag and size)",
  request: {
    params: params.extend({ n: PartNumber.meta({ example: 1 }) }),
    body: jsonBody(RecordPartBody, { etag: '"9b2cf535f27731c974343645a3985328"', size: 8388608 }),
  },
  responses: {
    204: { description: "Recorded" },
    400: errorDoc(400, { code: "invalid_part_number", message: "part number must be 1–10000" }),
    ...errors(401, 404, 409, 413, 415),
  },
});

const state = createRoute({
  ...ownerOnly,
  method: "get",
  path: "/{videoId}",
  summary: "The parts recorded so far (resume)",
  request: { params },
  responses: {
    200: json(UploadStateResponse, "Upload state", {
      videoId: VIDEO_ID,
      status: "uploading",
      size: 9437184,
      partSize: 8388608,
      partCount: 2,
      parts: [{ partNumber: 1, etag: '"9b2cf535f27731c974343645a3985328"', size: 8388608 }],
      uploadedBytes: 8388608,
      expiresAt,
    }),
    ...errors(401, 404),
  },
});

const complete = createRoute({
  ...ownerOnly,
  method: "post",
  path: "/{videoId}/complete",
  summary: "Complete the multipart upload and queue the transcode (idempotent)",
  request: { params },
  responses: {
    202: json(VideoDto, "Queued", { ...VIDEO, status: "queued", playable: false, owned: true }),
    ...errors(401, 404, 409, 503),
    422: errorDoc(422, {
      description:
        "What storage holds is not the planned size: the upload is failed (`failure_code` upload_size_mismatch) and its object deleted",
      code: "size_mismatch",
      message: "upload size mismatch: declared 9437184 bytes, stored 5368709120",
    }),
  },
});

const abort = createRoute({
  ...ownerOnly,
  method: "delete",
  path: "/{videoId}",
  summary: "Abort the upload",
  request: { params },
  responses: { 204: { description: "Aborted; the video is `failed`" }, ...errors(401, 404, 409) },
});

/** A bad video id is 404 as everywhere; a bad part number is said so. */
const partParamsHook = validationHook({
  param: (error) =>
    error.issues.some((i) => i.path[0] === "videoId")
      ? notFound()
      : new AppError(400, "invalid_part_number", "part number must be 1–10000"),
});

const router = openApiRouter();
/** Every upload route is the owner's alone: anyone else's video id answers 404. */
router.use(requireAuth());

export const uploadsRoutes = router
  .openapi(create, async (c) =>
    c.json(await uploadsService(c).create(c.req.valid("json"), currentUserId(c)), 201),
  )
  .openapi(urls, async (c) => {
    const { videoId } = c.req.valid("param");
    const { partNumbers } = c.req.valid("json");
    return c.json(await uploadsService(c).urls(videoId, currentUserId(c), partNumbers), 200);
  })
  .openapi(
    recordPart,
    async (c) => {
      const { videoId, n } = c.req.valid("param");
      await uploadsService(c).recordPart(videoId, currentUserId(c), n, c.req.valid("json"));
      return c.body(null, 204);
    },
    partParamsHook,
  )
  .openapi(state, async (c) =>
    c.json(await uploadsService(c).state(c.req.valid("param").videoId, currentUserId(c)), 200),
  )
  .openapi(complete, async (c) => {
    const video = await uploadsService(c).complete(c.req.valid("param").videoId, currentUserId(c));
    const channel = await channelRefOf(c.var.services, video.ownerId);
    return c.json(await toVideoDto(c.var.services, video, c.var.userId, channel), 202);
  })
  .openapi(abort, async (c) => {
    await uploadsService(c).abort(c.req.valid("param").videoId, currentUserId(c));
    return c.body(null, 204);
  });
