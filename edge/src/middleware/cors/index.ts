/**
 * CORS for `/api/*`: only the site's origin(s) (see origin-check), with credentials so the
 * refresh cookie can travel, and the headers the API reads and the client needs to see.
 * Media under `/v/` keeps its own permissive `*` policy (delivery.routes.ts): it is
 * authorised by the token in its path, not by cookies.
 */
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../../lib/app-env.ts";
import { isAllowedOrigin } from "../origin-check/index.ts";

export function apiCors(): MiddlewareHandler<AppEnv> {
  return cors({
    origin: (origin, c) => (isAllowedOrigin(c, origin) ? origin : null),
    credentials: true,
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    allowHeaders: ["authorization", "content-type"],
    exposeHeaders: ["retry-after"],
    maxAge: 600,
  });
}
