import { beforeEach, describe, expect, inject, it } from "vitest";
import { grantRole, signUp } from "../../../test/auth.ts";
import { callJson } from "../../../test/http.ts";
import { clearHealthCache } from "./health.routes.ts";

type Health = { ok: boolean; components: Record<string, { ok: boolean; detail?: string }> };

/** How many times the test fleet's /healthz has been probed. */
async function fleetProbes(): Promise<number> {
  const res = await fetch(`${inject("fleetUrl")}/__healthz`);
  return ((await res.json()) as { calls: number }).calls;
}

describe("GET /api/health", () => {
  beforeEach(() => clearHealthCache());

  it("tells anonymous callers ok per component and nothing else", async () => {
    const res = await callJson<Health>("/api/health");
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(Object.keys(res.body.components).sort()).toEqual(["d1", "queue", "storage", "transcoder"]);
    for (const component of Object.values(res.body.components)) expect(component).toEqual({ ok: true });
    expect(JSON.stringify(res.body)).not.toMatch(/jobs|capacity|detail/);
  });

  it("gives admins the details (fleet capacity)", async () => {
    const admin = await signUp();
    await grantRole(admin);
    const res = await callJson<Health>("/api/health", { headers: admin.auth });
    expect(res.status).toBe(200);
    expect(res.body.components.transcoder!.detail).toMatch(/\d+\/\d+ jobs/);
  });

  it("is anonymous for a non-admin or a bad token, not a 401", async () => {
    const user = await signUp();
    for (const headers of [user.auth, { authorization: "Bearer nope" }]) {
      const res = await callJson<Health>("/api/health", { headers });
      expect(res.status).toBe(200);
      expect(res.body.components.transcoder).toEqual({ ok: true });
    }
  });

  it("checks the components once for quick successive calls", async () => {
    const before = await fleetProbes();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await callJson("/api/health")).status);
    const burst = await Promise.all(Array.from({ length: 5 }, () => callJson("/api/health")));
    expect([...statuses, ...burst.map((r) => r.status)]).toEqual(Array(10).fill(200));
    // Ten calls, one probe (the fleet is shared with other test files running alongside,
    // which may add one of their own).
    const probes = (await fleetProbes()) - before;
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(probes).toBeLessThanOrEqual(2);
  });
});
