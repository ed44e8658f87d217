/**
 * `/api/auth/*`: signup, login, refresh, logout. Access tokens travel in bodies (the site
 * keeps them in memory); the refresh token only ever in an HttpOnly, SameSite=Strict
 * cookie scoped to `/api/auth`, so page scripts can't read it and other API calls don't
 * carry it. Refresh and logout — the cookie-authenticated endpoints — also require an
 * allowed `Origin` (CSRF). Nothing here may be cached.
 */
import { type AuthResponse, LoginBody, SignupBody } from "@streamline/contracts";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../../app-env.ts";
import { clientInfo } from "../../lib/client-info.ts";
import { AppError } from "../../lib/errors.ts";
import { jsonBody } from "../../lib/validate.ts";
import { requireAllowedOrigin } from "../../middleware/origin-check/index.ts";
import { enforceRateLimit } from "../../middleware/rate-limit/index.ts";
import { authenticate } from "./auth.middleware.ts";
import { type AuthDeps, AuthService, type IssuedSession, toUserDto } from "./auth.service.ts";

export const REFRESH_COOKIE = "sl_refresh";
export const REFRESH_COOKIE_PATH = "/api/auth";

const authService = (c: Context<AppEnv>, extra: Partial<AuthDeps> = {}) =>
  AuthService.from(c.var.services, extra);

/** `Secure` everywhere except plain-http loopback, where browsers would drop the cookie. */
function cookieIsSecure(c: Context<AppEnv>) {
  const url = new URL(c.req.url);
  return !(url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost"));
}

function cookieOptions(c: Context<AppEnv>) {
  return {
    path: REFRESH_COOKIE_PATH,
    httpOnly: true,
    secure: cookieIsSecure(c),
    sameSite: "Strict" as const,
  };
}

function respondWithSession(c: Context<AppEnv>, issued: IssuedSession, status: 200 | 201) {
  setCookie(c, REFRESH_COOKIE, issued.refreshToken, {
    ...cookieOptions(c),
    expires: issued.refreshExpiresAt,
    maxAge: Math.floor((issued.refreshExpiresAt.getTime() - Date.now()) / 1000),
  });
  const body: AuthResponse = {
    user: toUserDto(issued.user),
    accessToken: issued.accessToken,
    expiresAt: issued.expiresAt.toISOString(),
  };
  return c.json(body, status);
}

export const authRoutes = new Hono<AppEnv>()
  .use(async (c, next) => {
    await next();
    c.header("cache-control", "no-store");
  })
  .post("/signup", async (c) => {
    const client = clientInfo(c.req.raw);
    await enforceRateLimit(c.env, "RL_AUTH_IP", `signup:${client.ip}`);
    const body = await jsonBody(c, SignupBody);
    await enforceRateLimit(c.env, "RL_AUTH_EMAIL", `signup:${body.email}`);
    return respondWithSession(c, await authService(c).signup(body, client), 201);
  })
  .post("/login", async (c) => {
    const client = clientInfo(c.req.raw);
    await enforceRateLimit(c.env, "RL_AUTH_IP", `login:${client.ip}`);
    const body = await jsonBody(c, LoginBody);
    await enforceRateLimit(c.env, "RL_AUTH_EMAIL", `login:${body.email}`);
    return respondWithSession(c, await authService(c).login(body, client), 200);
  })
  .post("/refresh", requireAllowedOrigin(), async (c) => {
    const service = authService(c, {
      beforeRefresh: (sessionId) => enforceRateLimit(c.env, "RL_REFRESH", sessionId),
    });
    try {
      return respondWithSession(
        c,
        await service.refresh(getCookie(c, REFRESH_COOKIE), clientInfo(c.req.raw)),
        200,
      );
    } catch (err) {
      // A refused refresh token is dead for good: tell the browser to drop it.
      if (err instanceof AppError && err.status === 401) deleteCookie(c, REFRESH_COOKIE, cookieOptions(c));
      throw err;
    }
  })
  .post("/logout", requireAllowedOrigin(), async (c) => {
    // An expired or bad access token must not stop anyone from signing out.
    const access = await authenticate(c).catch(() => null);
    await authService(c).logout(getCookie(c, REFRESH_COOKIE), access?.sessionId ?? null);
    deleteCookie(c, REFRESH_COOKIE, cookieOptions(c));
    return c.body(null, 204);
  });
