/** Video metadata, listing, edits, deletion and the playlist redirect. */
import { createRoute, z } from "@hono/zod-openapi";
import {
  UpdateVideoBody,
  VIEWER_HEADER,
  VideoDto,
  VideoId,
  VideoListQuery,
  VideoListResponse,
  ViewerId,
} from "@streamline/contracts";
import { AppError } from "../../lib/errors.ts";
import {
  BEARER,
  errorDoc,
  errors,
  json,
  jsonBody,
  OPTIONAL_BEARER,
  openApiRouter,
} from "../../lib/openapi.ts";
import { VIDEO, VIDEO_ID } from "../../lib/openapi-examples.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { optionalAuth, requireAuth } from "../auth/auth.middleware.ts";
import { withViewing } from "../views/views.service.ts";
import { playbackFor } from "./video-dto.ts";
import { VideosService } from "./videos.service.ts";

const tags = ["videos"];
const params = z.object({ id: VideoId.meta({ example: VIDEO_ID }) });
const page = { videos: [VIDEO], nextCursor: `1763892300000.${VIDEO_ID}` };

const list = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "Public, ready videos, newest first",
  request: { query: VideoListQuery },
  responses: { 200: json(VideoListResponse, "One page", page), ...errors(400) },
});

const get = createRoute({
  method: "get",
  path: "/{id}",
  tags,
  summary: "A video's metadata (and a signed playback URL once playable)",
  security: OPTIONAL_BEARER,
  middleware: [optionalAuth()] as const,
  request: {
    params,
    headers: z.object({
      [VIEWER_HEADER]: ViewerId.optional().meta({
        description:
          "An embed's stored viewer id, used only when no `sl_viewer` cookie comes (third-party iframes): the view token names it",
      }),
    }),
  },
  responses: { 200: json(VideoDto, "The video", VIDEO), ...errors(400, 401, 404) },
});

const update = createRoute({
  method: "patch",
  path: "/{id}",
  tags,
  summary: "Edit title, description, tags, category, visibility or the scheduled publish (owner only)",
  description:
    "Only the fields sent change. Tags are normalized (trimmed, lower-case, a leading `#` dropped, " +
    "duplicates removed; at most 15 of 1–30 letters, digits, spaces, `-`, `_`). `publishAt` (future, " +
    "≤ 2 years) needs the video private — it turns public then; `publishAt: null` clears it, and making " +
    "the video public or unlisted drops it. `0:00 Intro` lines of the description become `chapters`. " +
    "Limited per user (`RL_EDITS`).",
  security: BEARER,
  middleware: [requireAuth(), rateLimit("RL_EDITS", (c) => c.var.userId)] as const,
  request: {
    params,
    body: jsonBody(UpdateVideoBody, {
      title: "Sunrise",
      tags: ["timelapse", "sunrise"],
      category: "travel",
      visibility: "private",
      publishAt: "2026-12-24T08:00:00.000Z",
    }),
  },
  responses: { 200: json(VideoDto, "The edited video", VIDEO), ...errors(400, 401, 404, 413, 415, 429) },
});

const remove = createRoute({
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Delete a video and everything stored for it (owner only)",
  security: BEARER,
  middleware: [requireAuth()] as const,
  request: { params },
  responses: {
    204: { description: "Deleted; storage is cleaned up in the background" },
    ...errors(401, 404),
  },
});

const playlist = createRoute({
  method: "get",
  path: "/{id}/playlist.m3u8",
  tags,
  summary: "Redirect to the signed master playlist",
  security: OPTIONAL_BEARER,
  middleware: [optionalAuth()] as const,
  request: { params },
  responses: {
    302: {
      description: "To `/v/{id}/{token}/master.m3u8`",
      headers: { location: { schema: { type: "string" }, description: "The signed master playlist" } },
    },
    ...errors(401, 404),
    409: errorDoc(409, { code: "not_playable", message: "video is processing" }),
  },
});

export const videosRoutes = openApiRouter()
  .openapi(list, async (c) =>
    c.json(await VideosService.from(c.var.services).listPublic(c.req.valid("query"), c.var.userId), 200),
  )
  .openapi(get, async (c) => {
    const videos = VideosService.from(c.var.services);
    const video = await videos.findVisible(c.req.valid("param").id, c.var.userId);
    return c.json(await withViewing(c, video, await videos.toDtoFor(video, c.var.userId)), 200);
  })
  .openapi(update, async (c) => {
    const videos = VideosService.from(c.var.services);
    const video = await videos.findOwned(c.req.valid("param").id, c.var.userId);
    return c.json(await videos.update(video, c.req.valid("json"), c.var.userId), 200);
  })
  .openapi(remove, async (c) => {
    const videos = VideosService.from(c.var.services);
    const video = await videos.findOwned(c.req.valid("param").id, c.var.userId);
    await videos.remove(video, (work) => c.executionCtx.waitUntil(work));
    return c.body(null, 204);
  })
  .openapi(playlist, async (c) => {
    const video = await VideosService.from(c.var.services).findVisible(c.req.valid("param").id, c.var.userId);
    if (!video.playable) throw new AppError(409, "not_playable", `video is ${video.status}`);
    const { hls } = await playbackFor(c.var.services, video, c.var.userId);
    c.header("cache-control", "private, no-store");
    return c.redirect(hls, 302);
  });
