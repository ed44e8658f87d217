/**
 * `POST /api/videos/:id/clips { startSec, endSec, title }` (ADR 0027): a new, ready video
 * that plays the source's own segments over the range (snapped outward to segment
 * boundaries). Signed in, verified email, limited per user (`RL_CLIPS`).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { CreateClipBody, VideoDto, VideoId } from "@streamline/contracts";
import { BEARER, errorDoc, errors, json, jsonBody, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO, VIDEO_ID } from "../../lib/openapi-examples.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { emailUnverifiedDoc, requireVerifiedEmail } from "../auth/email-verification.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { VideosService } from "../videos/videos.service.ts";
import { createClip } from "./clips.service.ts";

const create = createRoute({
  method: "post",
  path: "/{id}/clips",
  tags: ["videos"],
  summary: "Clip a range of a ready video: a new video over the same segments, ready at once",
  description:
    "`0 ≤ startSec < endSec ≤ durationSec`, 1–60 s. The range is snapped outward to the source's " +
    "segment boundaries (4 s grid) and returned as `clipOf`; nothing is re-encoded. Your own videos " +
    "(any visibility) and anyone's public videos may be clipped. The clip is unlisted; it stops " +
    "playing when its source is deleted, taken down or made private. Limited per user (`RL_CLIPS`).",
  security: BEARER,
  middleware: [requireAuth(), rateLimit("RL_CLIPS", (c) => c.var.userId), requireVerifiedEmail()] as const,
  request: {
    params: z.object({ id: VideoId.meta({ example: VIDEO_ID }) }),
    body: jsonBody(CreateClipBody, { startSec: 12, endSec: 30, title: "The best bit" }),
  },
  responses: {
    201: json(VideoDto, "The clip", {
      ...VIDEO,
      clipOf: { videoId: VIDEO_ID, startSec: 12, endSec: 32 },
    }),
    ...errors(400, 401, 404, 413, 415, 429),
    403: emailUnverifiedDoc,
    409: errorDoc(409, {
      code: "not_ready",
      message: "video is processing",
      description: "`not_ready` (the source is not transcoded yet) or `not_clippable` (a clip)",
    }),
  },
});

export const clipsRoutes = openApiRouter().openapi(create, async (c) => {
  const { services, userId } = c.var;
  const videos = VideosService.from(services);
  const source = await videos.findVisible(c.req.valid("param").id, userId);
  const clip = await createClip(services, new VideosRepo(services.db), source, userId!, c.req.valid("json"));
  return c.json(await videos.toDto(clip, userId), 201);
});
