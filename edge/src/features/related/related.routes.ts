/** `GET /api/videos/:id/related`: "up next" (ADR 0022). */
import { createRoute, z } from "@hono/zod-openapi";
import { RelatedQuery, RelatedResponse, VideoId } from "@streamline/contracts";
import { errors, json, OPTIONAL_BEARER, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO, VIDEO_ID } from "../../lib/openapi-examples.ts";
import { optionalAuth } from "../auth/auth.middleware.ts";
import { RelatedService } from "./related.service.ts";

const related = createRoute({
  method: "get",
  path: "/{id}/related",
  tags: ["videos"],
  summary: "Up next: videos related to this one",
  description:
    "Scored from the same channel, shared tags, the same category, what this video's recent viewers " +
    "also watched, and popularity (ADR 0022). Only public, ready videos that are not taken down; " +
    "never the video itself, nor what the signed-in caller already finished. 404 when the caller " +
    "may not see the video.",
  security: OPTIONAL_BEARER,
  middleware: [optionalAuth()] as const,
  request: { params: z.object({ id: VideoId.meta({ example: VIDEO_ID }) }), query: RelatedQuery },
  responses: { 200: json(RelatedResponse, "Best first", { videos: [VIDEO] }), ...errors(400, 401, 404) },
});

export const relatedRoutes = openApiRouter().openapi(related, async (c) => {
  const { id } = c.req.valid("param");
  const { limit } = c.req.valid("query");
  return c.json(await new RelatedService(c.var.services).related(id, c.var.userId, limit), 200);
});
