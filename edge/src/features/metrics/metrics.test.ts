/**
 * Edge request metrics: the per-isolate table (counts, buckets, percentiles), the middleware
 * on the real app (route patterns, not raw paths: no ids or tokens as labels), and the
 * admin-only summary route.
 */
import { describe, expect, it } from "vitest";
import { grantRole, signUp } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { call, callJson } from "../../../test/http.ts";
import { RequestMetrics, type RouteSummary } from "./request-metrics.ts";

describe("RequestMetrics", () => {
  it("counts per method, route and status, with bucketed percentiles", () => {
    const m = new RequestMetrics();
    for (let i = 0; i < 98; i++) m.record("GET", "/api/videos/:id", 200, 3);
    m.record("GET", "/api/videos/:id", 200, 40);
    m.record("GET", "/api/videos/:id", 200, 700);
    m.record("GET", "/api/videos/:id", 404, 1);
    const [ok, missing] = m.summary();
    expect(ok).toMatchObject({ status: 200, count: 100, p50Ms: 5, p99Ms: 50, maxMs: 700 });
    expect(ok!.meanMs).toBeCloseTo((98 * 3 + 40 + 700) / 100, 2);
    expect(missing).toMatchObject({ status: 404, count: 1, p50Ms: 1, p99Ms: 1 });
  });

  it("puts latencies beyond the last bound in the open bucket and reports the max for them", () => {
    const m = new RequestMetrics();
    m.record("POST", "/api/uploads", 201, 12_345);
    expect(m.summary()[0]).toMatchObject({ p50Ms: 12_345, p99Ms: 12_345, maxMs: 12_345 });
  });
});

describe("GET /api/admin/metrics", () => {
  it("shows admins every request by its route pattern and status", async () => {
    const admin = await signUp();
    await grantRole(admin);
    const video = await insertVideo({ status: "ready", playable: true });
    const before = await metrics(admin.auth);
    const count = (rows: RouteSummary[], route: string, status: number) =>
      rows.find((r) => r.method === "GET" && r.route === route && r.status === status)?.count ?? 0;
    for (let i = 0; i < 3; i++) expect((await call(`/api/videos/${video.id}`)).status).toBe(200);
    expect((await call("/api/videos/v_doesnotexist0000")).status).toBe(404);

    const after = await metrics(admin.auth);
    expect(after.analyticsEngine).toBe(false);
    expect(count(after.routes, "/api/videos/:id", 200) - count(before.routes, "/api/videos/:id", 200)).toBe(
      3,
    );
    expect(count(after.routes, "/api/videos/:id", 404) - count(before.routes, "/api/videos/:id", 404)).toBe(
      1,
    );
    // Labels are patterns: no video id (nor any token) ever becomes one.
    expect(after.routes.some((r) => r.route.includes(video.id))).toBe(false);
  });

  it("is a 404 for everyone else and 401 anonymously", async () => {
    const user = await signUp();
    expect((await call("/api/admin/metrics", { headers: user.auth })).status).toBe(404);
    expect((await call("/api/admin/metrics")).status).toBe(401);
  });
});

async function metrics(headers: Record<string, string>) {
  const res = await callJson<{ analyticsEngine: boolean; routes: RouteSummary[] }>("/api/admin/metrics", {
    headers,
  });
  expect(res.status).toBe(200);
  return res.body;
}
