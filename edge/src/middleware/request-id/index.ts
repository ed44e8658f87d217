/**
 * Request ids (ADR 0028): a sane incoming `x-request-id` is kept (a proxy's or a client's),
 * anything else is replaced by a fresh UUID; the id is echoed in the response header and
 * opens the log scope of the request, so every line logged while serving it carries it.
 */
import { acceptRequestId, REQUEST_ID_HEADER } from "@streamline/contracts";
import type { MiddlewareHandler } from "hono";
import { withLogContext } from "../../lib/log.ts";

export function requestId(): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async (c, next) => {
    const id = acceptRequestId(c.req.header(REQUEST_ID_HEADER)) ?? crypto.randomUUID();
    c.set("requestId", id);
    await withLogContext({ requestId: id }, next);
    // After next, so responses built by handlers (a proxied page, a media stream) get it too.
    if (c.res.status === 101 || c.res.webSocket) return;
    c.header(REQUEST_ID_HEADER, id);
  };
}
