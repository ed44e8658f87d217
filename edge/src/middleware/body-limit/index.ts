/**
 * Caps `/api` request bodies before anything parses them: a declared Content-Length over
 * the cap is refused at once, a chunked body as soon as it crosses it (413
 * `payload_too_large`, never buffering more than the cap). GET and HEAD pass untouched.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError } from "../../lib/errors.ts";

/** The cap on JSON request bodies under /api. */
export const MAX_JSON_BYTES = 64 * 1024;

export function apiBodyLimit(maxSize = MAX_JSON_BYTES): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError(413, "payload_too_large", `request body over ${maxSize} bytes`);
    },
  });
  // GET/HEAD carry no body we would read. workerd still hands the Worker an (empty) body
  // stream when such a request has a Transfer-Encoding header (and delivers any method
  // with `Upgrade: websocket` as GET), and hono's bodyLimit then rebuilds it with
  // `new Request(raw, { body })`, which throws for GET/HEAD: a 500 from bad input.
  return (c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? next() : limit(c, next));
}
