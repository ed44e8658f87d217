/** HTTP surface of direct-to-storage uploads (thin: parse, call the service, shape). */
import { CreateUploadBody, PartUrlsBody, RecordPartBody, VideoId } from "@streamline/contracts";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../app-env.ts";
import { jsonBody, parseParam } from "../../lib/validate.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { enforceRateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { queueOf } from "../jobs/jobs.service.ts";
import { roomNotifier } from "../progress/room-notifier.ts";
import { toVideoDto } from "../videos/video-dto.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { UploadsService } from "./uploads.service.ts";

const PartNumber = z.coerce.number().int().min(1).max(10_000);

function uploadsService(c: { var: AppEnv["Variables"] }) {
  const { db, store, config, env } = c.var.services;
  return new UploadsService({
    repo: new VideosRepo(db),
    store,
    queue: queueOf(env.JOBS),
    room: roomNotifier(env, config.JOB_LEASE_SECONDS * 1000),
    config,
  });
}

/** Every upload route is the owner's alone: anyone else's video id answers 404. */
export const uploadsRoutes = new Hono<AppEnv>()
  .use(requireAuth())
  .post("/", async (c) => {
    const userId = currentUserId(c);
    await enforceRateLimit(c.env, "RL_UPLOADS", userId);
    const body = await jsonBody(c, CreateUploadBody);
    const created = await uploadsService(c).create(body, userId);
    return c.json(created, 201);
  })
  .post("/:videoId/urls", async (c) => {
    const id = parseParam(VideoId, c.req.param("videoId"));
    const { partNumbers } = await jsonBody(c, PartUrlsBody);
    return c.json(await uploadsService(c).urls(id, currentUserId(c), partNumbers));
  })
  .put("/:videoId/parts/:n", async (c) => {
    const id = parseParam(VideoId, c.req.param("videoId"));
    const n = PartNumber.safeParse(c.req.param("n"));
    if (!n.success)
      return c.json({ error: { code: "invalid_part_number", message: "part number must be 1–10000" } }, 400);
    const part = await jsonBody(c, RecordPartBody);
    await uploadsService(c).recordPart(id, currentUserId(c), n.data, part);
    return c.body(null, 204);
  })
  .get("/:videoId", async (c) => {
    const id = parseParam(VideoId, c.req.param("videoId"));
    return c.json(await uploadsService(c).state(id, currentUserId(c)));
  })
  .post("/:videoId/complete", async (c) => {
    const id = parseParam(VideoId, c.req.param("videoId"));
    const video = await uploadsService(c).complete(id, currentUserId(c));
    return c.json(await toVideoDto(c.var.services, video, c.var.userId), 202);
  })
  .delete("/:videoId", async (c) => {
    const id = parseParam(VideoId, c.req.param("videoId"));
    await uploadsService(c).abort(id, currentUserId(c));
    return c.body(null, 204);
  });
