/**
 * Which browser origins may use the API with credentials: `SITE_ORIGIN` (comma-separated)
 * or, when unset, the request's own origin — the site and API share one origin in dev and
 * in the default deployment. `requireAllowedOrigin` guards the cookie-authenticated
 * endpoints (refresh, logout) against cross-site requests on top of `SameSite=Strict`.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError } from "../../lib/errors.ts";

export function allowedOrigins(c: Context<AppEnv>): string[] {
  const configured = c.var.services.config.SITE_ORIGIN;
  return configured.length ? configured : [new URL(c.req.url).origin];
}

export function isAllowedOrigin(c: Context<AppEnv>, origin: string | undefined): origin is string {
  return !!origin && allowedOrigins(c).includes(origin);
}

/** Browsers send `Origin` on every POST; a missing or foreign one is refused. */
export function requireAllowedOrigin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (!isAllowedOrigin(c, origin)) {
      throw new AppError(
        403,
        "bad_origin",
        origin ? `requests from ${origin} are not allowed` : "missing Origin header",
      );
    }
    await next();
  };
}
