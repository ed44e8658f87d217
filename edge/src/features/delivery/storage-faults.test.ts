/**
 * Issue 17, storage faults on the read path: the Worker's media reads go through the
 * fault-injecting proxy in front of the embedded S3 (scripts/lib/fault-proxy.ts). A segment
 * read that meets a 500/503 is retried by the S3 client, a reset once by delivery; a storage that keeps failing gives
 * 502 `storage_unavailable`, one that does not answer gives 504 `storage_timeout` within
 * STORAGE_READ_TIMEOUT_MS — JSON error shape, `Retry-After`, CORS — and never a hang.
 */

import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { FaultRule } from "../../../../scripts/lib/fault-proxy.ts";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { MASTER_240P, publishVideo } from "../../../test/fixtures.ts";
import { ORIGIN } from "../../../test/http.ts";
import { app } from "../../app.ts";
import { S3_RETRIES } from "../../lib/storage/s3-store.ts";

const PROXY = inject("s3FaultProxy");
const TIMEOUT_MS = 800;
const SEGMENT = new Uint8Array(Array.from({ length: 2000 }, (_, i) => i % 251));

/** The Worker with its storage behind the proxy and a short read bound. */
async function fetchVia(path: string, vars: Record<string, string> = {}, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const workerEnv = { ...env, S3_ENDPOINT: PROXY, STORAGE_READ_TIMEOUT_MS: String(TIMEOUT_MS), ...vars };
  const res = await app.fetch(new Request(`${ORIGIN}${path}`, init), workerEnv, ctx);
  const body = await res.text();
  await waitOnExecutionContext(ctx);
  return { res, body };
}

async function faults(rules: FaultRule[]) {
  const res = await fetch(`${PROXY}/__faults`, { method: "POST", body: JSON.stringify({ rules }) });
  expect(res.status).toBe(204);
}

async function received(pattern: string) {
  const res = await fetch(`${PROXY}/__requests?path=${encodeURIComponent(pattern)}`);
  return ((await res.json()) as { requests: { method: string; fault?: string }[] }).requests;
}

let alice: TestUser;
beforeAll(async () => {
  alice = await signUp();
});

/** A public, playable video with one segment; returns the segment's signed path. */
async function videoWithSegment() {
  const { id } = await publishVideo(alice.id, { "master.m3u8": MASTER_240P, "240p/seg_00001.m4s": SEGMENT });
  const meta = await fetchVia(`/api/videos/${id}`);
  const hls = (JSON.parse(meta.body) as { playback: { hls: string } }).playback.hls;
  return { id, segment: hls.replace("master.m3u8", "240p/seg_00001.m4s"), master: hls };
}

type ErrorBody = { error: { code: string; message: string } };

describe.each([
  ["through the media cache", {}],
  ["straight from storage (MEDIA_CACHE_SECONDS=0)", { MEDIA_CACHE_SECONDS: "0" }],
])("storage faults on a segment read, %s", (_name, vars) => {
  it("one 503 or one reset is absorbed by the retry: the viewer gets the segment", async () => {
    for (const fault of ["status", "reset"] as const) {
      const { id, segment } = await videoWithSegment();
      await faults([{ method: "GET", path: `/videos/${id}/240p/seg_`, fault, status: 503, times: 1 }]);
      const { res, body } = await fetchVia(segment, vars);
      expect(res.status, fault).toBe(200);
      expect(body.length, fault).toBe(SEGMENT.length);
      expect(
        (await received(`/videos/${id}/240p/seg_`)).map((r) => r.fault ?? "ok"),
        fault,
      ).toEqual([fault, "ok"]);
    }
  });

  it("storage that keeps failing → 502 storage_unavailable with Retry-After and CORS, after S3_RETRIES", async () => {
    for (const status of [500, 503]) {
      const { id, segment } = await videoWithSegment();
      await faults([{ method: "GET", path: `/videos/${id}/240p/seg_`, fault: "status", status }]);
      const { res, body } = await fetchVia(segment, vars, { headers: { range: "bytes=0-99" } });
      expect(res.status, String(status)).toBe(502);
      expect((JSON.parse(body) as ErrorBody).error.code).toBe("storage_unavailable");
      expect(res.headers.get("retry-after")).toBe("2");
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(await received(`/videos/${id}/240p/seg_`)).toHaveLength(1 + S3_RETRIES);
    }
  });

  it("storage that does not answer → 504 storage_timeout within the bound, never a hang", async () => {
    const { id, segment } = await videoWithSegment();
    await faults([{ method: "GET", path: `/videos/${id}/240p/seg_`, fault: "hang" }]);
    const t0 = Date.now();
    const { res, body } = await fetchVia(segment, vars);
    const took = Date.now() - t0;
    expect(res.status).toBe(504);
    expect((JSON.parse(body) as ErrorBody).error.code).toBe("storage_timeout");
    expect(res.headers.get("retry-after")).toBe("2");
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(took).toBeLessThan(TIMEOUT_MS + 3000);
  });

  it("a slow storage inside the bound is just slow: the segment arrives", async () => {
    const { id, segment } = await videoWithSegment();
    await faults([
      { method: "GET", path: `/videos/${id}/240p/seg_`, fault: "delay", delayMs: 300, times: 1 },
    ]);
    const { res, body } = await fetchVia(segment, vars);
    expect(res.status).toBe(200);
    expect(body.length).toBe(SEGMENT.length);
  });
});

describe("storage faults on playlists", () => {
  it("the master's read failing → 502 with the error shape; a missing file is still 404", async () => {
    const { id, master } = await videoWithSegment();
    await faults([{ method: "GET", path: `/videos/${id}/master`, fault: "status", status: 500 }]);
    const { res, body } = await fetchVia(master);
    expect(res.status).toBe(502);
    expect((JSON.parse(body) as ErrorBody).error.code).toBe("storage_unavailable");
    const absent = await fetchVia(master.replace("master.m3u8", "240p/seg_00099.m4s"));
    expect(absent.res.status).toBe(404);
  });
});
