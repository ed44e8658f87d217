/** Video metadata, listing, edits, deletion and the playlist redirect. */
import { UpdateVideoBody, VideoId, VideoListQuery } from "@streamline/contracts";
import { Hono } from "hono";
import type { AppEnv } from "../../app-env.ts";
import { validationError } from "../../lib/errors.ts";
import { jsonBody, parseParam } from "../../lib/validate.ts";
import { optionalAuth, requireAuth } from "../auth/auth.middleware.ts";
import { playbackFor } from "./video-dto.ts";
import { VideosService } from "./videos.service.ts";

export const videosRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const q = VideoListQuery.safeParse(c.req.query());
    if (!q.success) throw validationError(q.error, "query");
    return c.json(await VideosService.from(c.var.services).listPublic(q.data, c.var.userId));
  })
  .get("/:id", optionalAuth(), async (c) => {
    const videos = VideosService.from(c.var.services);
    const video = await videos.findVisible(parseParam(VideoId, c.req.param("id")), c.var.userId);
    return c.json(await videos.toDto(video, c.var.userId));
  })
  .patch("/:id", requireAuth(), async (c) => {
    const videos = VideosService.from(c.var.services);
    const video = await videos.findOwned(parseParam(VideoId, c.req.param("id")), c.var.userId);
    const patch = await jsonBody(c, UpdateVideoBody);
    return c.json(await videos.update(video, patch, c.var.userId));
  })
  .delete("/:id", requireAuth(), async (c) => {
    const videos = VideosService.from(c.var.services);
    const video = await videos.findOwned(parseParam(VideoId, c.req.param("id")), c.var.userId);
    await videos.remove(video, (work) => c.executionCtx.waitUntil(work));
    return c.body(null, 204);
  })
  .get("/:id/playlist.m3u8", optionalAuth(), async (c) => {
    const videos = VideosService.from(c.var.services);
    const video = await videos.findVisible(parseParam(VideoId, c.req.param("id")), c.var.userId);
    if (!video.playable) {
      return c.json({ error: { code: "not_playable", message: `video is ${video.status}` } }, 409);
    }
    const { hls } = await playbackFor(c.var.services, video, c.var.userId);
    c.header("cache-control", "private, no-store");
    return c.redirect(hls, 302);
  });
