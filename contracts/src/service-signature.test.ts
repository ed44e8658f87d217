/// <reference types="node" />
import { createHash, createHmac, hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  MAX_SKEW_SECONDS,
  type SignedRequest,
  signedPath,
  signRequest,
  verifyRequest,
} from "./service-signature.ts";

const SECRET = "f1c9a8e47b2d3065c8e1f4a7b9d2c6e0";
const NOW = 1_800_000_000;
const JOB: SignedRequest = { method: "POST", path: "/jobs", body: JSON.stringify({ type: "transcode" }) };

describe("signRequest / verifyRequest", () => {
  it("signs as t=<unix>,v2=<hex> and verifies its own signature", async () => {
    const header = await signRequest(SECRET, "edge-to-fleet", JOB, NOW);
    expect(header).toMatch(/^t=1800000000,v2=[0-9a-f]{64}$/);
    expect(await verifyRequest(SECRET, "edge-to-fleet", JOB, header, NOW)).toEqual({
      ok: true,
      timestamp: NOW,
    });
  });

  it("matches an independent computation (node:crypto HKDF + HMAC over the canonical string)", async () => {
    const key = Buffer.from(hkdfSync("sha256", SECRET, "streamline/service-signature", "fleet-to-edge", 32));
    const bodyHash = createHash("sha256").update(JOB.body).digest("hex");
    const canonical = ["streamline-v2", "fleet-to-edge", "POST", "/jobs", NOW, bodyHash].join("\n");
    const mac = createHmac("sha256", key).update(canonical).digest("hex");
    expect(await signRequest(SECRET, "fleet-to-edge", JOB, NOW)).toBe(`t=${NOW},v2=${mac}`);
  });

  it("a signature for one direction fails the other (separate derived keys)", async () => {
    const header = await signRequest(SECRET, "edge-to-fleet", JOB, NOW);
    expect(await verifyRequest(SECRET, "fleet-to-edge", JOB, header, NOW)).toEqual({
      ok: false,
      reason: "mismatch",
    });
  });

  it("binds method, path (with query), body, timestamp and secret", async () => {
    const header = await signRequest(SECRET, "edge-to-fleet", JOB, NOW);
    const refused = async (req: SignedRequest, h = header, secret = SECRET) =>
      expect(await verifyRequest(secret, "edge-to-fleet", req, h, NOW)).toEqual({
        ok: false,
        reason: "mismatch",
      });
    await refused({ ...JOB, method: "PUT" });
    await refused({ ...JOB, path: "/jobs/j_1/cancel" });
    await refused({ ...JOB, path: "/jobs?x=1" });
    await refused({ ...JOB, body: `${JOB.body} ` });
    await refused(JOB, header.replace(`t=${NOW}`, `t=${NOW + 1}`));
    await refused(JOB, header, "0f1c9a8e47b2d3065c8e1f4a7b9d2c6e");
    expect((await verifyRequest(SECRET, "edge-to-fleet", { ...JOB, method: "post" }, header, NOW)).ok).toBe(
      true,
    );
  });

  it("missing, malformed, old-scheme (v1) and out-of-window headers are refused", async () => {
    const check = (h: string | undefined, now = NOW) => verifyRequest(SECRET, "edge-to-fleet", JOB, h, now);
    expect(await check(undefined)).toEqual({ ok: false, reason: "missing" });
    expect(await check("")).toEqual({ ok: false, reason: "missing" });
    expect(await check("garbage")).toEqual({ ok: false, reason: "malformed" });
    expect(await check(`t=${NOW},v2=xyz`)).toEqual({ ok: false, reason: "malformed" });
    expect(await check(`t=${NOW},v1=${"00".repeat(32)}`)).toEqual({ ok: false, reason: "malformed" });
    expect(await check(`t=1e9,v2=${"00".repeat(32)}`)).toEqual({ ok: false, reason: "malformed" });
    const header = await signRequest(SECRET, "edge-to-fleet", JOB, NOW);
    expect((await check(header, NOW + MAX_SKEW_SECONDS)).ok).toBe(true);
    expect((await check(header, NOW - MAX_SKEW_SECONDS)).ok).toBe(true);
    expect(await check(header, NOW + MAX_SKEW_SECONDS + 1)).toEqual({ ok: false, reason: "stale" });
    expect(await check(header, NOW - MAX_SKEW_SECONDS - 1)).toEqual({ ok: false, reason: "stale" });
    expect((await check(header.replace(",", " , "))).ok).toBe(true);
  });

  it("signedPath is the path plus query of a URL", () => {
    expect(signedPath("http://127.0.0.1:8790/jobs/j%201/cancel?x=1")).toBe("/jobs/j%201/cancel?x=1");
    expect(signedPath(new URL("https://edge.example/internal/transcoder/events"))).toBe(
      "/internal/transcoder/events",
    );
  });
});
