/// <reference types="vite/client" />
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import wranglerToml from "../../../../wrangler.toml?raw";
import {
  call,
  callJson,
  ORIGIN,
  PASSWORD,
  randomIp,
  refreshCookie,
  signUp,
  uniqueName,
} from "../../../test/auth.ts";
import { enforceRateLimit, RATE_LIMIT_PERIODS } from "./index.ts";

type ErrorBody = { error: { code: string; message: string } };

/**
 * Sends until the first 429 (bounded). The binding counts in wall-clock windows, so a
 * window may roll over mid-test: the first refusal must come after at least `limit`
 * accepted requests and before `2 × limit + 1`.
 */
async function untilLimited(limit: number, send: (i: number) => Promise<Response>) {
  for (let i = 0; i <= 2 * limit + 1; i++) {
    const res = await send(i);
    if (res.status === 429) return { index: i, res };
  }
  throw new Error("never rate limited");
}

function expectRefusal(res: Response, body: ErrorBody) {
  expect(res.status).toBe(429);
  expect(res.headers.get("retry-after")).toBe("60");
  expect(body.error.code).toBe("rate_limited");
  expect(body.error.message).toMatch(/try again/);
}

describe("rate limits (Workers Rate Limiting binding)", () => {
  it("wrangler.toml declares every limiter the code uses, with the period the code reports", () => {
    for (const [name, period] of Object.entries(RATE_LIMIT_PERIODS)) {
      const block = new RegExp(
        `name = "${name}"\\s*\\nnamespace_id = "\\d+"\\s*\\nsimple = \\{ limit = (\\d+), period = (\\d+) \\}`,
      ).exec(wranglerToml);
      expect(block, name).not.toBeNull();
      expect(Number(block![2]), name).toBe(period);
      expect(env[name as keyof typeof RATE_LIMIT_PERIODS]).toBeTruthy();
    }
  });

  it("login and signup: per IP (20/min), counted before the body is even read", async () => {
    const ip = randomIp();
    const { index, res } = await untilLimited(20, (i) =>
      call("/api/auth/login", {
        method: "POST",
        json: { email: `${uniqueName()}-${i}@example.com`, password: "whatever password" },
        headers: { "cf-connecting-ip": ip },
      }),
    );
    expect(index).toBeGreaterThanOrEqual(20);
    expectRefusal(res, (await res.json()) as ErrorBody);

    const signupIp = randomIp();
    const signup = await untilLimited(20, () =>
      call("/api/auth/signup", {
        method: "POST",
        body: "{not json",
        headers: { "cf-connecting-ip": signupIp },
      }),
    );
    expect(signup.index).toBeGreaterThanOrEqual(20);
    expectRefusal(signup.res, (await signup.res.json()) as ErrorBody);
    // Another IP is unaffected.
    const other = await callJson("/api/auth/signup", {
      method: "POST",
      json: { email: `${uniqueName()}@example.com`, password: PASSWORD, handle: uniqueName() },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(other.status).toBe(201);
  });

  it("refresh: per session (60/min: one per page load)", async () => {
    const user = await signUp();
    let cookie = user.cookie;
    const { index, res } = await untilLimited(60, async () => {
      const r = await call("/api/auth/refresh", { method: "POST", headers: { origin: ORIGIN, cookie } });
      cookie = refreshCookie(r) ?? cookie;
      return r;
    });
    expect(index).toBeGreaterThanOrEqual(60);
    expectRefusal(res, (await res.json()) as ErrorBody);
    // Being limited did not burn the session: the current cookie is still the live one.
    const row = await env.DB.prepare(
      "select count(*) as n from refresh_tokens where user_id = ? and rotated_at is null",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(row?.n).toBe(1);
  });

  it("upload creation: per user (10/min)", async () => {
    const user = await signUp();
    const { index, res } = await untilLimited(10, () =>
      call("/api/uploads", { method: "POST", json: {}, headers: user.auth }),
    );
    expect(index).toBeGreaterThanOrEqual(10);
    expectRefusal(res, (await res.json()) as ErrorBody);
    // Someone else can still upload.
    const other = await signUp();
    expect((await call("/api/uploads", { method: "POST", json: {}, headers: other.auth })).status).toBe(400);
  });

  it("an IPv6 client is its /64: rotating addresses inside it does not reset the count", async () => {
    const b = crypto.getRandomValues(new Uint16Array(3));
    const prefix = `2001:db8:${b[0]!.toString(16)}:${b[1]!.toString(16)}`;
    const { index, res } = await untilLimited(20, (i) =>
      call("/api/auth/login", {
        method: "POST",
        json: { email: `${uniqueName()}@example.com`, password: "whatever password" },
        headers: { "cf-connecting-ip": `${prefix}:${i.toString(16)}::${b[2]!.toString(16)}` },
      }),
    );
    expect(index).toBeGreaterThanOrEqual(20);
    expectRefusal(res, (await res.json()) as ErrorBody);
    // The neighbouring /64 is someone else.
    const next = await call("/api/auth/login", {
      method: "POST",
      json: { email: `${uniqueName()}@example.com`, password: "whatever password" },
      headers: { "cf-connecting-ip": `2001:db8:${b[0]!.toString(16)}:${(b[1]! ^ 1).toString(16)}::1` },
    });
    expect(next.status).toBe(401);
  });

  it("poster and caption uploads: per user (10/min), one budget for both", async () => {
    const user = await signUp();
    const video = "v_AAAAAAAAAAAAAAAA";
    const { index, res } = await untilLimited(10, (i) =>
      i % 2
        ? call(`/api/videos/${video}/poster`, {
            method: "PUT",
            body: "not an image",
            headers: { ...user.auth, "content-type": "image/png" },
          })
        : call(`/api/videos/${video}/captions/en`, {
            method: "PUT",
            body: "WEBVTT\n",
            headers: { ...user.auth, "content-type": "text/vtt" },
          }),
    );
    expect(index).toBeGreaterThanOrEqual(10);
    expectRefusal(res, (await res.json()) as ErrorBody);
    const other = await signUp();
    const poster = await call(`/api/videos/${video}/poster`, {
      method: "PUT",
      body: "not an image",
      headers: { ...other.auth, "content-type": "image/png" },
    });
    expect(poster.status).not.toBe(429);
  });

  it("fresh part URLs: per user (60/min)", async () => {
    const user = await signUp();
    const { index, res } = await untilLimited(60, () =>
      call("/api/uploads/v_AAAAAAAAAAAAAAAA/urls", {
        method: "POST",
        json: { partNumbers: [1] },
        headers: user.auth,
      }),
    );
    expect(index).toBeGreaterThanOrEqual(60);
    expectRefusal(res, (await res.json()) as ErrorBody);
  });

  it("WebSocket tickets: per user (30/min), anonymous callers per IP", async () => {
    const user = await signUp();
    const ticket = (headers: Record<string, string>) =>
      call("/api/ws-ticket", { method: "POST", json: { videoId: "v_AAAAAAAAAAAAAAAA" }, headers });
    const signedIn = await untilLimited(30, () => ticket({ ...user.auth, "cf-connecting-ip": randomIp() }));
    expect(signedIn.index).toBeGreaterThanOrEqual(30);
    expectRefusal(signedIn.res, (await signedIn.res.json()) as ErrorBody);
    const ip = randomIp();
    const anonymous = await untilLimited(30, () => ticket({ "cf-connecting-ip": ip }));
    expect(anonymous.index).toBeGreaterThanOrEqual(30);
    expectRefusal(anonymous.res, (await anonymous.res.json()) as ErrorBody);
    // Neither budget is the other's, nor another IP's.
    expect((await ticket({ "cf-connecting-ip": randomIp() })).status).toBe(404);
  });

  it("health: per IP (60/min)", async () => {
    const ip = randomIp();
    const { index, res } = await untilLimited(60, () =>
      call("/api/health", { headers: { "cf-connecting-ip": ip } }),
    );
    expect(index).toBeGreaterThanOrEqual(60);
    expectRefusal(res, (await res.json()) as ErrorBody);
    expect((await call("/api/health", { headers: { "cf-connecting-ip": randomIp() } })).status).toBe(200);
  });

  it("lets requests through when the binding is missing or failing (fail open)", async () => {
    await expect(enforceRateLimit({}, "RL_UPLOADS", "k")).resolves.toBeUndefined();
    const broken = { RL_UPLOADS: { limit: () => Promise.reject(new Error("down")) } as unknown as RateLimit };
    await expect(enforceRateLimit(broken, "RL_UPLOADS", "k")).resolves.toBeUndefined();
    const full = { RL_UPLOADS: { limit: async () => ({ success: false }) } as RateLimit };
    await expect(enforceRateLimit(full, "RL_UPLOADS", "k")).rejects.toMatchObject({
      status: 429,
      code: "rate_limited",
    });
  });
});
