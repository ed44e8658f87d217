import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.ts";

let upstream: Server;
let proxy: FaultProxy;
beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain", "x-host": req.headers.host ?? "" });
    res.end(`ok ${req.method} ${req.url}`);
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  proxy = await startFaultProxy({ target: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
});
afterAll(async () => {
  await proxy.close();
  await new Promise((r) => upstream.close(r));
});
beforeEach(() => proxy.reset());

describe("fault proxy", () => {
  it("forwards unchanged, Host header included, and records every request", async () => {
    const res = await fetch(`${proxy.url}/bucket/a.m4s?x=1`);
    expect(await res.text()).toBe("ok GET /bucket/a.m4s?x=1");
    expect(res.headers.get("x-host")).toBe(`127.0.0.1:${proxy.port}`);
    expect(proxy.requests(/a\.m4s/)).toMatchObject([{ method: "GET", path: "/bucket/a.m4s?x=1" }]);
  });

  it("answers S3-style errors for as many matching requests as the rule says, then forwards", async () => {
    proxy.addRules([{ method: "GET", path: "seg_", fault: "status", status: 503, times: 2 }]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${proxy.url}/b/seg_1.m4s`)).status);
    expect(statuses).toEqual([503, 503, 200]);
    const err = await fetch(`${proxy.url}/b/other`);
    expect(err.status).toBe(200);
    proxy.addRules([{ path: "x", fault: "status", status: 500, times: 1 }]);
    const failed = await fetch(`${proxy.url}/x`);
    expect(await failed.text()).toContain("<Code>InternalError</Code>");
  });

  it("a rule with forMs applies for that long, then requests pass again", async () => {
    proxy.addRules([{ method: "POST", path: "^/jobs$", fault: "status", status: 503, forMs: 300 }]);
    const first = await fetch(`${proxy.url}/jobs`, { method: "POST", body: "{}" });
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBe("1");
    await expect
      .poll(async () => (await fetch(`${proxy.url}/jobs`, { method: "POST", body: "{}" })).status, {
        timeout: 5000,
        interval: 50,
      })
      .toBe(200);
    expect(proxy.requests(/^\/jobs$/).filter((r) => r.fault === "status").length).toBeGreaterThanOrEqual(1);
  });

  it("resets connections, delays and hangs", async () => {
    proxy.addRules([{ path: "reset", fault: "reset" }]);
    await expect(fetch(`${proxy.url}/reset`)).rejects.toThrow();

    proxy.addRules([{ path: "slow", fault: "delay", delayMs: 300 }]);
    const t0 = performance.now();
    expect((await fetch(`${proxy.url}/slow`)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);

    proxy.addRules([{ path: "hang", fault: "hang" }]);
    await expect(fetch(`${proxy.url}/hang`, { signal: AbortSignal.timeout(300) })).rejects.toThrow(
      /abort|timeout/i,
    );
    expect(proxy.requests(/hang/)).toMatchObject([{ fault: "hang" }]);
  });

  it("is driven over HTTP as well (for Workers under test)", async () => {
    const add = await fetch(`${proxy.url}/__faults`, {
      method: "POST",
      body: JSON.stringify({ rules: [{ path: "^/b/", fault: "status", status: 500, times: 1 }] }),
    });
    expect(add.status).toBe(204);
    expect((await fetch(`${proxy.url}/b/1`)).status).toBe(500);
    expect((await fetch(`${proxy.url}/b/1`)).status).toBe(200);
    const log = (await (
      await fetch(`${proxy.url}/__requests?path=${encodeURIComponent("^/b/")}`)
    ).json()) as {
      requests: { fault?: string }[];
    };
    expect(log.requests.map((r) => r.fault ?? "none")).toEqual(["status", "none"]);
    expect((await fetch(`${proxy.url}/__faults`, { method: "DELETE" })).status).toBe(204);
    expect(proxy.requests()).toEqual([]);
  });
});
