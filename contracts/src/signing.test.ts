import { describe, expect, it } from "vitest";
import { MAX_SKEW_SECONDS, signBody, verifyBody } from "./signing.ts";

const SECRET = "s3cret-for-tests";
const BODY = JSON.stringify({ type: "progress", percent: 42 });
const NOW = 1_800_000_000;

describe("signBody / verifyBody", () => {
  it("signs as t=<unix>,v1=<hex hmac-sha256 of 't.body'> and verifies its own signature", async () => {
    const header = await signBody(SECRET, BODY, NOW);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(await verifyBody(SECRET, BODY, header, NOW)).toEqual({ ok: true, timestamp: NOW });
  });

  it("matches an independently computed HMAC-SHA256 of `t.body` (node:crypto createHmac)", async () => {
    expect(await signBody(SECRET, BODY, NOW)).toBe(
      `t=${NOW},v1=044efc92f8fb436b61457a5309e2e9c8c22428ac01c001c897c6d40b8c98c3aa`,
    );
  });

  it("says why a signature is refused", async () => {
    const header = await signBody(SECRET, BODY, NOW);
    expect(await verifyBody(SECRET, BODY, undefined, NOW)).toEqual({ ok: false, reason: "missing" });
    expect(await verifyBody(SECRET, BODY, "", NOW)).toEqual({ ok: false, reason: "missing" });
    expect(await verifyBody(SECRET, BODY, "garbage", NOW)).toEqual({ ok: false, reason: "malformed" });
    expect(await verifyBody(SECRET, BODY, `t=${NOW},v1=xyz`, NOW)).toEqual({
      ok: false,
      reason: "malformed",
    });
    expect(await verifyBody(SECRET, BODY, `t=soon,v1=00`, NOW)).toEqual({ ok: false, reason: "malformed" });
    expect(await verifyBody(SECRET, `${BODY} `, header, NOW)).toEqual({ ok: false, reason: "mismatch" });
    expect(await verifyBody("other-secret", BODY, header, NOW)).toEqual({ ok: false, reason: "mismatch" });
    const tampered = header.replace(/v1=(.)/, (_, c: string) => `v1=${c === "0" ? "1" : "0"}`);
    expect(await verifyBody(SECRET, BODY, tampered, NOW)).toEqual({ ok: false, reason: "mismatch" });
  });

  it("accepts a clock skew up to MAX_SKEW_SECONDS either way, and no more", async () => {
    const header = await signBody(SECRET, BODY, NOW);
    expect((await verifyBody(SECRET, BODY, header, NOW + MAX_SKEW_SECONDS)).ok).toBe(true);
    expect((await verifyBody(SECRET, BODY, header, NOW - MAX_SKEW_SECONDS)).ok).toBe(true);
    expect(await verifyBody(SECRET, BODY, header, NOW + MAX_SKEW_SECONDS + 1)).toEqual({
      ok: false,
      reason: "stale",
    });
    expect(await verifyBody(SECRET, BODY, header, NOW - MAX_SKEW_SECONDS - 1)).toEqual({
      ok: false,
      reason: "stale",
    });
  });

  it("tolerates spaces around the header's parts", async () => {
    const header = (await signBody(SECRET, BODY, NOW)).replace(",", " , ");
    expect(await verifyBody(SECRET, BODY, header, NOW)).toEqual({ ok: true, timestamp: NOW });
  });
});
