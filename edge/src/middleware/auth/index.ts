/**
 * Bearer authentication for the API. `requireAuth()` refuses anonymous callers;
 * `optionalAuth()` lets them through as `userId = null` (public reads) but still refuses
 * a token that is present and bad, so a client with an expired token learns to refresh
 * instead of silently seeing less. Both set `c.var.userId` and `c.var.sessionId`.
 *
 * 401 codes: `auth_required` (no token), `token_expired` (refresh and retry),
 * `invalid_token` (anything else: tampered, foreign key, `alg: none`, revoked session).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../../app-env.ts";
import { type AccessClaims, verifyAccessToken } from "../../features/auth/access-token.ts";
import { isSessionLive } from "../../features/sessions/session-status.ts";
import { SessionsRepo } from "../../features/sessions/sessions.repo.ts";
import { AppError } from "../../lib/errors.ts";

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

function unauthorized(code: string, message: string, description = message) {
  // RFC 6750: say which scheme and why, so generic clients know to refresh.
  const challenge =
    code === "auth_required" ? "Bearer" : `Bearer error="invalid_token", error_description="${description}"`;
  return new AppError(401, code, message, { headers: { "www-authenticate": challenge } });
}

/** The verified claims of the request's access token, null if it has none; throws 401 if it is bad. */
export async function authenticate(c: Context<AppEnv>): Promise<AccessClaims | null> {
  const header = c.req.header("authorization");
  if (header === undefined) return null;
  const match = BEARER.exec(header);
  if (!match) throw unauthorized("invalid_token", "Authorization must be `Bearer <access token>`");
  const { config, db } = c.var.services;
  const check = await verifyAccessToken(config.JWT_SECRET, match[1]!);
  if (!check.ok) {
    throw check.reason === "expired"
      ? unauthorized("token_expired", "access token expired; refresh it", "expired")
      : unauthorized("invalid_token", "access token is not valid", "invalid");
  }
  const live = await isSessionLive(
    new SessionsRepo(db),
    check.claims.sessionId,
    check.claims.userId,
    config.SESSION_CHECK_CACHE_SECONDS * 1000,
  );
  if (!live) throw unauthorized("invalid_token", "session has been signed out", "revoked");
  return check.claims;
}

async function attach(c: Context<AppEnv>, required: boolean) {
  const claims = await authenticate(c);
  if (!claims && required) throw unauthorized("auth_required", "sign in to do this");
  c.set("userId", claims?.userId ?? null);
  c.set("sessionId", claims?.sessionId ?? null);
}

export function requireAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await attach(c, true);
    await next();
  };
}

export function optionalAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await attach(c, false);
    await next();
  };
}

/** The signed-in user's id inside a `requireAuth()` route. */
export function currentUserId(c: Context<AppEnv>): string {
  const id = c.var.userId;
  if (!id) throw unauthorized("auth_required", "sign in to do this");
  return id;
}
