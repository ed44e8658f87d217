/**
 * Request counts and latency by route and status (issue 16, "Metrics").
 *
 * Every request is timed by `requestMetrics()`. The route is the matched pattern
 * (`/api/videos/:id`, `/v/:id/:token/:path{.+}`), never the raw path, so tokens and ids do
 * not become label values. Where it goes:
 *  - the Workers Analytics Engine dataset bound as `REQUEST_METRICS`, when bound
 *    (production: one data point per request, queried with the SQL API — README
 *    "Operating it");
 *  - always, this isolate's own summary (`GET /api/admin/metrics`): count and latency
 *    histogram per method, route and status. In `wrangler dev` that is the whole edge (one
 *    isolate); in production it is one isolate's view, which is why the dataset exists.
 */
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "../../lib/app-env.ts";

/** Upper bounds (ms) of the latency histogram's buckets; the last bucket is unbounded. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

interface Series {
  method: string;
  route: string;
  status: number;
  count: number;
  sumMs: number;
  maxMs: number;
  buckets: number[];
}

export interface RouteSummary {
  method: string;
  route: string;
  status: number;
  count: number;
  meanMs: number;
  /** Upper bound of the bucket holding the 50th / 99th percentile (ms). */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** A per-isolate table of series; `record` is O(buckets), `summary` sorts by count. */
export class RequestMetrics {
  readonly since = new Date().toISOString();
  private readonly series = new Map<string, Series>();

  record(method: string, route: string, status: number, ms: number): void {
    const key = `${method} ${route} ${status}`;
    let s = this.series.get(key);
    if (!s) {
      s = { method, route, status, count: 0, sumMs: 0, maxMs: 0, buckets: LATENCY_BUCKETS_MS.map(() => 0) };
      s.buckets.push(0);
      this.series.set(key, s);
    }
    s.count += 1;
    s.sumMs += ms;
    s.maxMs = Math.max(s.maxMs, ms);
    const i = LATENCY_BUCKETS_MS.findIndex((b) => ms <= b);
    s.buckets[i === -1 ? LATENCY_BUCKETS_MS.length : i]! += 1;
  }

  summary(): RouteSummary[] {
    return [...this.series.values()]
      .sort((a, b) => b.count - a.count || a.route.localeCompare(b.route))
      .map((s) => ({
        method: s.method,
        route: s.route,
        status: s.status,
        count: s.count,
        meanMs: round(s.sumMs / s.count),
        p50Ms: quantile(s, 0.5),
        p99Ms: quantile(s, 0.99),
        maxMs: round(s.maxMs),
      }));
  }
}

function quantile(s: Series, q: number): number {
  const rank = Math.ceil(q * s.count);
  let seen = 0;
  for (const [i, n] of s.buckets.entries()) {
    seen += n;
    if (seen >= rank) return LATENCY_BUCKETS_MS[i] ?? round(s.maxMs);
  }
  return round(s.maxMs);
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** This isolate's table (module state lives as long as the isolate). */
export const isolateMetrics = new RequestMetrics();

/** The Analytics Engine dataset, when wrangler.toml binds one as `REQUEST_METRICS`. */
export function metricsDataset(env: object): AnalyticsEngineDataset | undefined {
  const ds = (env as { REQUEST_METRICS?: AnalyticsEngineDataset }).REQUEST_METRICS;
  return ds && typeof ds.writeDataPoint === "function" ? ds : undefined;
}

/**
 * Times the rest of the chain. Workers freeze `Date.now()` during synchronous work but it
 * advances across I/O, which is where an edge request spends its time (D1, storage, the
 * site binding), so the figure is the request's I/O-bound latency.
 */
export function requestMetrics(table: RequestMetrics = isolateMetrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = Date.now();
    try {
      await next();
    } finally {
      const ms = Date.now() - started;
      const route = routeOf(c);
      const status = c.res?.status ?? 500;
      table.record(c.req.method, route, status, ms);
      metricsDataset(c.env)?.writeDataPoint({
        indexes: [route.slice(0, 96)],
        blobs: [c.req.method, route, String(status)],
        doubles: [ms, status],
      });
    }
  };
}

/** The matched route pattern; requests no API route matched (the site's pages) are `site`. */
function routeOf(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  // The handler that ran last (the final one after `next()`), not the last route that matched.
  const path = routePath(c);
  return !path || path === "*" || path === "/*" ? "site" : path;
}
