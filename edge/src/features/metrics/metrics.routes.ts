/**
 * `GET /api/admin/metrics`: this isolate's request counts and latency by route and status
 * (request-metrics.ts). Admins only (role `admin` in D1); anyone else gets 404.
 */
import { createRoute } from "@hono/zod-openapi";
import { EdgeMetricsResponse } from "@streamline/contracts";
import { notFound } from "../../lib/errors.ts";
import { BEARER, errorDoc, errors, json, openApiRouter } from "../../lib/openapi.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { hasRole } from "../auth/roles.ts";
import { isolateMetrics, metricsDataset } from "./request-metrics.ts";

const metrics = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["admin"],
  summary: "Request counts and latency by route and status (admins only)",
  description:
    "This isolate's view since it started: count, mean, p50/p99 (upper bound of the histogram bucket) " +
    "and max per method, matched route pattern and status. Production spreads requests over many " +
    "isolates: bind the `REQUEST_METRICS` Analytics Engine dataset for the whole picture (README).",
  security: BEARER,
  middleware: [requireAuth()] as const,
  responses: {
    200: json(EdgeMetricsResponse, "This isolate's request metrics", {
      since: "2026-12-07T10:00:00.000Z",
      analyticsEngine: false,
      routes: [
        {
          method: "GET",
          route: "/api/videos/:id",
          status: 200,
          count: 1520,
          meanMs: 6.4,
          p50Ms: 5,
          p99Ms: 25,
          maxMs: 61,
        },
      ],
    }),
    ...errors(401),
    404: errorDoc(404, { message: "page not found", description: "Not an admin" }),
  },
});

export const metricsRoutes = openApiRouter().openapi(metrics, async (c) => {
  if (!(await hasRole(c.var.services.db, currentUserId(c), "admin"))) throw notFound("page");
  return c.json(
    {
      since: isolateMetrics.since,
      analyticsEngine: metricsDataset(c.env) !== undefined,
      routes: isolateMetrics.summary(),
    },
    200,
  );
});
