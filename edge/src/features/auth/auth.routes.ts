/**
 * `/api/auth/*`: signup, login, refresh, logout. Access tokens travel in bodies (the site
 * keeps them in memory); the refresh token only ever in an HttpOnly, SameSite=Strict
 * cookie scoped to `/api/auth`, so page scripts can't read it and other API calls don't
 * carry it. Refresh and logout — the cookie-authenticated endpoints — also require an
 * allowed `Origin` (CSRF). Nothing here may be cached.
 *
 * Signup and login also set `sl_device` (device-cookie.ts), which spares this browser the
 * per-email sign-in delay that failed guesses by others cause (ADR 0005).
 */
import { createRoute } from "@hono/zod-openapi";
import { AuthResponse, LoginBody, SignupBody } from "@streamline/contracts";
import type { Context } from "hono";
import { deleteCookie, getCookie } from "hono/cookie";
import type { AppEnv } from "../../lib/app-env.ts";
import { clientInfo } from "../../lib/client-info.ts";
import { AppError } from "../../lib/errors.ts";
import { errorDoc, errors, json, jsonBody, openApiRouter } from "../../lib/openapi.ts";
import { USER } from "../../lib/openapi-examples.ts";
import { requireAllowedOrigin } from "../../middleware/origin-check/index.ts";
import { enforceRateLimit, rateLimit } from "../../middleware/rate-limit/index.ts";
import { sendInBackground } from "../mail/mailer.ts";
import { authenticate } from "./auth.middleware.ts";
import { type AuthDeps, AuthService } from "./auth.service.ts";
import { DEVICE_COOKIE } from "./device-cookie.ts";
import { linkOrigin } from "./email.routes.ts";
import { EmailFlows } from "./email-flows.ts";
import {
  cookieOptions,
  REFRESH_COOKIE,
  REFRESH_COOKIE_PATH,
  rememberDevice,
  withSession,
} from "./session-cookies.ts";

export { REFRESH_COOKIE, REFRESH_COOKIE_PATH };

const authService = (c: Context<AppEnv>, extra: Partial<AuthDeps> = {}) =>
  AuthService.from(c.var.services, extra);

const tags = ["auth"];
const session = {
  user: USER,
  accessToken: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1XzdoR2YzRHNBMXFXZTlyVHkifQ.c2lnbmF0dXJl",
  expiresAt: "2026-11-23T10:15:00.000Z",
};
const setCookieHeader = {
  "set-cookie": {
    schema: { type: "string" as const },
    description: `\`${REFRESH_COOKIE}\`: the refresh token (HttpOnly, SameSite=Strict, Path=${REFRESH_COOKIE_PATH})`,
  },
};
/** Signup and login also mark the browser as a known device of the account. */
const signInCookies = {
  "set-cookie": {
    schema: { type: "string" as const },
    description:
      `\`${REFRESH_COOKIE}\`: the refresh token; \`${DEVICE_COOKIE}\`: this browser signed in to the account ` +
      `(spares it the per-email sign-in delay; one year). Both HttpOnly, SameSite=Strict, Path=${REFRESH_COOKIE_PATH}`,
  },
};
/** Per client IP (an IPv6 /64), before the body is read (keys `signup:<ip>`, `login:<ip>`). */
const perIp = (action: string) =>
  rateLimit("RL_AUTH_IP", (c) => `${action}:${clientInfo(c.req.raw).rateKey}`);
const credentials = { email: "ana@example.com", password: "correct horse battery staple" };

const signup = createRoute({
  method: "post",
  path: "/signup",
  tags,
  summary: "Create an account; signs in",
  description:
    "Limited per client IP: `RL_AUTH_IP` per minute and `SIGNUPS_PER_IP_PER_HOUR` (10) per hour, whatever the answer " +
    "(429 + `Retry-After`). The 409 `email_taken` says an address has an account; that is why signups are scarce (ADR 0005).",
  middleware: [perIp("signup")] as const,
  request: { body: jsonBody(SignupBody, { ...credentials, handle: "ana" }) },
  responses: {
    201: { ...json(AuthResponse, "Signed up and signed in", session), headers: signInCookies },
    ...errors(400, 413, 415, 429),
    409: errorDoc(409, {
      code: "email_taken",
      message: "an account with this email already exists; log in instead",
    }),
  },
});

const login = createRoute({
  method: "post",
  path: "/login",
  tags,
  summary: "Sign in (starts a session)",
  description:
    "After `LOGIN_FREE_FAILURES` (5) failed attempts on an email, known or not, each further attempt must wait 2^k s " +
    "(capped at `LOGIN_MAX_DELAY_SECONDS`, 300): 429 `rate_limited` + `Retry-After`. Never a lock-out, and no delay for " +
    "a browser that signed in to the account before (`sl_device` cookie, or a live session's refresh cookie). A success clears the count.",
  middleware: [perIp("login")] as const,
  request: { body: jsonBody(LoginBody, credentials) },
  responses: {
    200: { ...json(AuthResponse, "Signed in", session), headers: signInCookies },
    ...errors(400, 413, 415, 429),
    401: errorDoc(401, { code: "invalid_credentials", message: "email or password is incorrect" }),
  },
});

const refresh = createRoute({
  method: "post",
  path: "/refresh",
  tags,
  summary: "Rotate the refresh cookie for a fresh access token",
  description:
    "The token rotated last is still accepted for `REFRESH_GRACE_SECONDS` (10 s) and answers with the same successor " +
    "(a retry, two tabs). Any other reuse of a rotated token revokes the whole session family (`refresh_token_reused`).",
  middleware: [requireAllowedOrigin()] as const,
  responses: {
    200: { ...json(AuthResponse, "Rotated", session), headers: setCookieHeader },
    401: errorDoc(401, {
      code: "invalid_refresh_token",
      message: "refresh token not recognised; log in again",
    }),
    ...errors(403, 429),
  },
});

const logout = createRoute({
  method: "post",
  path: "/logout",
  tags,
  summary: "Sign out (revokes the session)",
  middleware: [requireAllowedOrigin()] as const,
  responses: { 204: { description: "Signed out; the cookie is cleared" }, ...errors(403) },
});

const router = openApiRouter();
router.use(async (c, next) => {
  await next();
  c.header("cache-control", "no-store");
});

export const authRoutes = router
  .openapi(signup, async (c) => {
    const issued = await authService(c).signup(c.req.valid("json"), clientInfo(c.req.raw));
    await rememberDevice(c, issued.user.id);
    // The verification mail goes out after the response; its failure is only logged (ADR 0014).
    const flows = EmailFlows.from(c.var.services);
    const origin = linkOrigin(c);
    sendInBackground(c.executionCtx, "verification", () => flows.sendVerification(issued.user, origin));
    return c.json(withSession(c, issued), 201);
  })
  .openapi(login, async (c) => {
    const issued = await authService(c).login(c.req.valid("json"), clientInfo(c.req.raw), {
      deviceCookie: getCookie(c, DEVICE_COOKIE),
      refreshToken: getCookie(c, REFRESH_COOKIE),
    });
    await rememberDevice(c, issued.user.id);
    return c.json(withSession(c, issued), 200);
  })
  .openapi(refresh, async (c) => {
    const service = authService(c, {
      beforeRefresh: (sessionId) => enforceRateLimit(c.env, "RL_REFRESH", sessionId),
    });
    try {
      const issued = await service.refresh(getCookie(c, REFRESH_COOKIE), clientInfo(c.req.raw));
      return c.json(withSession(c, issued), 200);
    } catch (err) {
      // A refused refresh token is dead for good: tell the browser to drop it.
      if (err instanceof AppError && err.status === 401) deleteCookie(c, REFRESH_COOKIE, cookieOptions(c));
      throw err;
    }
  })
  .openapi(logout, async (c) => {
    // An expired or bad access token must not stop anyone from signing out.
    const access = await authenticate(c).catch(() => null);
    await authService(c).logout(getCookie(c, REFRESH_COOKIE), access?.sessionId ?? null);
    deleteCookie(c, REFRESH_COOKIE, cookieOptions(c));
    return c.body(null, 204);
  });
