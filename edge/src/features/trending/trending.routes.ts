/** `GET /api/trending` (ADR 0022). */
import { createRoute } from "@hono/zod-openapi";
import { TrendingQuery, TrendingResponse } from "@streamline/contracts";
import { errors, json, OPTIONAL_BEARER, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO } from "../../lib/openapi-examples.ts";
import { optionalAuth } from "../auth/auth.middleware.ts";
import { trendingPage } from "./trending.service.ts";

const trending = createRoute({
  method: "get",
  path: "/",
  tags: ["videos"],
  summary: "Trending videos, best first",
  description:
    "The ranking the cron computes every few minutes from the last 48 hours of counted views, likes " +
    "and commenters, each halved every 12 hours of age (ADR 0022). Only public, ready videos that are " +
    "not taken down — checked again on every read. `computedAt` says when the ranking was made; a " +
    "cursor pages that same ranking for 30 minutes, so a recomputation between two pages neither " +
    "repeats nor skips a video.",
  security: OPTIONAL_BEARER,
  middleware: [optionalAuth()] as const,
  request: { query: TrendingQuery },
  responses: {
    200: json(TrendingResponse, "One page", {
      videos: [VIDEO],
      nextCursor: "1796683200000.24",
      computedAt: "2026-12-07T18:45:00.000Z",
    }),
    ...errors(400, 401),
  },
});

export const trendingRoutes = openApiRouter().openapi(trending, async (c) =>
  c.json(await trendingPage(c.var.services, c.req.valid("query"), c.var.userId), 200),
);
