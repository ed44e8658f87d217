/**
 * The bearer middleware on its own: the header grammar, the 401 codes and challenges, and
 * that it asks exactly the injected checks. The auth feature's wiring (real JWTs, real
 * sessions in D1) is tested in features/auth/auth.middleware.test.ts.
 */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../lib/app-env.ts";
import { errorResponse } from "../../lib/errors.ts";
import { bearerAuth, currentUserId, type TokenCheck } from "./index.ts";

const tokens: Record<string, TokenCheck<{ userId: string; sessionId: string }>> = {
  good: { ok: true, claims: { userId: "u_1", sessionId: "s_live" } },
  revoked: { ok: true, claims: { userId: "u_2", sessionId: "s_dead" } },
  old: { ok: false, reason: "expired" },
};
const seen: string[] = [];
const auth = bearerAuth({
  verifyToken: async (token) => {
    seen.push(token);
    return tokens[token] ?? { ok: false, reason: "invalid" };
  },
  isSessionLive: async (claims) => claims.sessionId === "s_live",
});

const app = new Hono<AppEnv>()
  .get("/private", auth.requireAuth(), (c) =>
    c.json({ userId: currentUserId(c), sessionId: c.var.sessionId }),
  )
  .get("/public", auth.optionalAuth(), (c) => c.json({ userId: c.var.userId, sessionId: c.var.sessionId }))
  .onError((err, c) => errorResponse(c, err));

const get = (path: string, authorization?: string) =>
  app.request(path, { headers: authorization ? { authorization } : {} });
const failure = async (res: Response) => ({
  status: res.status,
  code: ((await res.json()) as { error: { code: string } }).error.code,
  challenge: res.headers.get("www-authenticate"),
});

describe("bearerAuth", () => {
  it("passes the verified claims through and asks verifyToken for the token only", async () => {
    seen.length = 0;
    const res = await get("/private", "Bearer good");
    expect(await res.json()).toEqual({ userId: "u_1", sessionId: "s_live" });
    expect(seen).toEqual(["good"]);
  });

  it("maps every refusal to its 401 code and an RFC 6750 challenge", async () => {
    expect(await failure(await get("/private"))).toEqual({
      status: 401,
      code: "auth_required",
      challenge: "Bearer",
    });
    expect(await failure(await get("/private", "Bearer old"))).toMatchObject({
      code: "token_expired",
      challenge: expect.stringContaining('error="invalid_token"'),
    });
    expect(await failure(await get("/private", "Bearer nope"))).toMatchObject({ code: "invalid_token" });
    expect(await failure(await get("/private", "Bearer revoked"))).toMatchObject({
      code: "invalid_token",
      challenge: expect.stringContaining("revoked"),
    });
    expect(await failure(await get("/private", "Basic Zm9vOmJhcg=="))).toMatchObject({
      code: "invalid_token",
    });
  });

  it("optional: anonymous through as null, a present bad token still refused", async () => {
    expect(await (await get("/public")).json()).toEqual({ userId: null, sessionId: null });
    expect(await (await get("/public", "bearer good")).json()).toEqual({
      userId: "u_1",
      sessionId: "s_live",
    });
    expect((await get("/public", "Bearer old")).status).toBe(401);
  });
});
