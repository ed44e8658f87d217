import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { signUp } from "../../../test/auth.ts";
import { TEST_SECRETS } from "../../../test/secrets.ts";
import type { AppEnv } from "../../lib/app-env.ts";
import { errorResponse } from "../../lib/errors.ts";
import { services } from "../../lib/services.ts";
import { signAccessToken } from "./access-token.ts";
import { optionalAuth, requireAuth } from "./auth.middleware.ts";

const app = new Hono<AppEnv>()
  .use(async (c, next) => {
    c.set("services", services(env));
    await next();
  })
  .get("/private", requireAuth(), (c) => c.json({ userId: c.var.userId, sessionId: c.var.sessionId }))
  .get("/public", optionalAuth(), (c) => c.json({ userId: c.var.userId, sessionId: c.var.sessionId }))
  .onError((err, c) => errorResponse(c, err));

const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers }, env);
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe("auth middleware", () => {
  it("requireAuth: 401 auth_required without a token; the user and session with one", async () => {
    const anon = await get("/private");
    expect(anon.status).toBe(401);
    expect(await code(anon)).toBe("auth_required");
    const user = await signUp();
    const ok = await get("/private", user.auth);
    expect(await ok.json()).toEqual({ userId: user.id, sessionId: expect.stringMatching(/^s_/) });
  });

  it("optionalAuth: anonymous is null, a good token identifies, a bad or expired one is refused", async () => {
    expect(await (await get("/public")).json()).toEqual({ userId: null, sessionId: null });
    const user = await signUp();
    expect(((await (await get("/public", user.auth)).json()) as { userId: string }).userId).toBe(user.id);
    expect(await code(await get("/public", { authorization: "Bearer nope" }))).toBe("invalid_token");
    const expired = await signAccessToken(
      TEST_SECRETS.JWT_SECRET,
      { userId: user.id, sessionId: "s_x" },
      900,
      Date.now() - 7200_000,
    );
    expect(await code(await get("/public", { authorization: `Bearer ${expired.token}` }))).toBe(
      "token_expired",
    );
  });

  it("accepts the scheme in any case, nothing but Bearer", async () => {
    const user = await signUp();
    expect((await get("/private", { authorization: `bearer ${user.accessToken}` })).status).toBe(200);
    expect((await get("/private", { authorization: `Token ${user.accessToken}` })).status).toBe(401);
  });
});
