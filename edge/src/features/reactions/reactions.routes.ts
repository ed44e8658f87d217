/** `PUT /api/videos/:id/reaction`: the caller's like or dislike of a video (ADR 0015). */
import { createRoute, z } from "@hono/zod-openapi";
import { ReactionBody, ReactionResponse, VideoId } from "@streamline/contracts";
import { BEARER, errors, json, jsonBody, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO_ID } from "../../lib/openapi-examples.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { ReactionsService } from "./reactions.service.ts";

const react = createRoute({
  method: "put",
  path: "/{id}/reaction",
  tags: ["videos"],
  summary: "Like, dislike, or take back your reaction to a video",
  description:
    "One reaction per user per video: a new value replaces the old one, `none` removes it, and " +
    "sending the same value again changes nothing. `dislikeCount` is in the answer only for the " +
    "video's owner (viewers see likes only). Limited per user (`RL_REACTIONS`).",
  security: BEARER,
  middleware: [requireAuth(), rateLimit("RL_REACTIONS", (c) => c.var.userId)] as const,
  request: {
    params: z.object({ id: VideoId.meta({ example: VIDEO_ID }) }),
    body: jsonBody(ReactionBody, { value: "like" }),
  },
  responses: {
    200: json(ReactionResponse, "The video's counts after the change", { likeCount: 43, myReaction: "like" }),
    ...errors(400, 401, 404, 413, 415, 429),
  },
});

export const reactionsRoutes = openApiRouter().openapi(react, async (c) => {
  const { id } = c.req.valid("param");
  const { value } = c.req.valid("json");
  const result = await ReactionsService.from(c.var.services).react(id, currentUserId(c), value);
  c.header("cache-control", "private, no-store");
  return c.json(result, 200);
});
