/**
 * Caps `/api` request bodies before anything parses them: a declared Content-Length over
 * the cap is refused at once, a chunked body as soon as it crosses it (413
 * `payload_too_large`, never buffering more than the cap).
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError } from "../../lib/errors.ts";

/** The cap on JSON request bodies under /api. */
export const MAX_JSON_BYTES = 64 * 1024;

export function apiBodyLimit(maxSize = MAX_JSON_BYTES): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError(413, "payload_too_large", `request body over ${maxSize} bytes`);
    },
  });
}
