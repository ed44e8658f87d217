/**
 * Bearer authentication for the API, self-contained the way hono's `bearer-auth` is: it
 * knows the header and the 401s, and receives `verifyToken` and `isSessionLive` as
 * options (the auth feature wires them: features/auth/auth.middleware.ts).
 * `required` refuses anonymous callers; `optional` lets them through as `userId = null`
 * (public reads) but still refuses a token that is present and bad, so a client with an
 * expired token learns to refresh instead of silently seeing less. Both set
 * `c.var.userId` and `c.var.sessionId`.
 *
 * 401 codes: `auth_required` (no token), `token_expired` (refresh and retry),
 * `invalid_token` (anything else: tampered, foreign key, `alg: none`, revoked session).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError } from "../../lib/errors.ts";

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

export interface BearerClaims {
  userId: string;
  sessionId: string;
}

export type TokenCheck<C extends BearerClaims> =
  | { ok: true; claims: C }
  | { ok: false; reason: "expired" | "invalid" };

export interface BearerAuthOptions<C extends BearerClaims> {
  /** Signature, audience, expiry: is this access token ours and current? */
  verifyToken(token: string, c: Context<AppEnv>): Promise<TokenCheck<C>>;
  /** Has the token's session been signed out since it was issued? */
  isSessionLive(claims: C, c: Context<AppEnv>): Promise<boolean>;
  /** May these claims make this request? Throws (e.g. 403) if not; runs after the checks above. */
  authorize?(claims: C, c: Context<AppEnv>): Promise<void>;
}

export interface BearerAuth<C extends BearerClaims> {
  /** The verified claims of the request's access token, null if it has none; throws 401 if it is bad. */
  authenticate(c: Context<AppEnv>): Promise<C | null>;
  requireAuth(): MiddlewareHandler<AppEnv>;
  optionalAuth(): MiddlewareHandler<AppEnv>;
}

function unauthorized(code: string, message: string, description = message) {
  // RFC 6750: say which scheme and why, so generic clients know to refresh.
  const challenge =
    code === "auth_required" ? "Bearer" : `Bearer error="invalid_token", error_description="${description}"`;
  return new AppError(401, code, message, { headers: { "www-authenticate": challenge } });
}

export function bearerAuth<C extends BearerClaims>(options: BearerAuthOptions<C>): BearerAuth<C> {
  async function authenticate(c: Context<AppEnv>): Promise<C | null> {
    const header = c.req.header("authorization");
    if (header === undefined) return null;
    const match = BEARER.exec(header);
    if (!match) throw unauthorized("invalid_token", "Authorization must be `Bearer <access token>`");
    const check = await options.verifyToken(match[1]!, c);
    if (!check.ok) {
      throw check.reason === "expired"
        ? unauthorized("token_expired", "access token expired; refresh it", "expired")
        : unauthorized("invalid_token", "access token is not valid", "invalid");
    }
    if (!(await options.isSessionLive(check.claims, c)))
      throw unauthorized("invalid_token", "session has been signed out", "revoked");
    await options.authorize?.(check.claims, c);
    return check.claims;
  }

  const attach = (required: boolean): MiddlewareHandler<AppEnv> =>
    async function bearerAuthMiddleware(c, next) {
      const claims = await authenticate(c);
      if (!claims && required) throw unauthorized("auth_required", "sign in to do this");
      c.set("userId", claims?.userId ?? null);
      c.set("sessionId", claims?.sessionId ?? null);
      await next();
    };

  return { authenticate, requireAuth: () => attach(true), optionalAuth: () => attach(false) };
}

/** The signed-in user's id inside a `requireAuth()` route. */
export function currentUserId(c: Context<AppEnv>): string {
  const id = c.var.userId;
  if (!id) throw unauthorized("auth_required", "sign in to do this");
  return id;
}
