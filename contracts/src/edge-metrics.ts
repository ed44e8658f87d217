import { z } from "zod";

/** One series of the edge's request metrics: a method, a matched route pattern and a status. */
export const RouteMetrics = z.object({
  method: z.string(),
  /** The matched pattern (`/api/videos/:id`), never a raw path; `site` for the site's pages. */
  route: z.string(),
  status: z.number().int(),
  count: z.number().int().nonnegative(),
  meanMs: z.number().nonnegative(),
  /** Upper bound (ms) of the histogram bucket holding the percentile. */
  p50Ms: z.number().nonnegative(),
  p99Ms: z.number().nonnegative(),
  maxMs: z.number().nonnegative(),
});
export type RouteMetrics = z.infer<typeof RouteMetrics>;

/** `GET /api/admin/metrics`: this isolate's request metrics, busiest series first. */
export const EdgeMetricsResponse = z.object({
  /** When this isolate started counting. */
  since: z.string(),
  /** True when every request is also written to the `REQUEST_METRICS` Analytics Engine dataset. */
  analyticsEngine: z.boolean(),
  routes: z.array(RouteMetrics),
});
export type EdgeMetricsResponse = z.infer<typeof EdgeMetricsResponse>;
