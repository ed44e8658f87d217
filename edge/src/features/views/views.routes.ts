/** `POST /api/views`: playback heartbeats (ADR 0016). */
import { createRoute } from "@hono/zod-openapi";
import { ViewHeartbeatBody, ViewHeartbeatResponse } from "@streamline/contracts";
import { validationError } from "../../lib/errors.ts";
import { errorDoc, errors, json, OPTIONAL_BEARER, openApiRouter } from "../../lib/openapi.ts";
import { optionalAuth } from "../auth/auth.middleware.ts";
import { recordHeartbeat } from "./views.service.ts";

const EXAMPLE = { viewToken: "eyJhbGciOiJIUzI1NiJ9…", positionSec: 252.4, playedSec: 10.1 };

const heartbeat = createRoute({
  method: "post",
  path: "/",
  tags: ["videos"],
  summary: "A playback heartbeat: position and real seconds played since the previous one",
  description:
    "`viewToken` comes with `playback` in `GET /api/videos/{id}` and works only in the browser it " +
    "was issued to (the `sl_viewer` cookie) and, if a bearer is sent, for that user. Send one every " +
    "~10 s while playing, on pause and end, and as `navigator.sendBeacon` (a `text/plain` JSON body) " +
    "when the page is hidden. `playedSec` is clamped to the wall-clock time since the viewer's " +
    "previous heartbeat (plus a little slack). A view counts once per viewer and video per " +
    "`VIEW_WINDOW_SECONDS` after `VIEW_MIN_PLAYED_SECONDS` (30) of playback, or half of a video " +
    "shorter than 60 s. Signed-in viewers' positions become their history and resume point. " +
    "Limited per viewer (`RL_VIEWS`).",
  security: OPTIONAL_BEARER,
  middleware: [optionalAuth()] as const,
  request: {
    body: {
      description:
        "The same JSON as `application/json` or `text/plain` (what `sendBeacon` sends for a string)",
      content: {
        "application/json": { schema: ViewHeartbeatBody, example: EXAMPLE },
        "text/plain": { schema: ViewHeartbeatBody, example: EXAMPLE },
      },
    },
  },
  responses: {
    202: json(ViewHeartbeatResponse, "Accepted (counted: whether this viewer's view counts in the window)", {
      counted: false,
      acceptedSec: 10.1,
    }),
    ...errors(400, 413, 415, 429),
    403: errorDoc(403, {
      code: "view_token_invalid",
      message: "not a view token from this server",
      description:
        "`view_token_invalid` (forged, malformed), `view_token_expired`, or `view_token_mismatch` (another viewer's)",
    }),
  },
});

/** The beacon's text/plain body, parsed and validated like the JSON one. */
async function beaconBody(text: string) {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const parsed = ViewHeartbeatBody.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

export const viewsRoutes = openApiRouter().openapi(heartbeat, async (c) => {
  const isJson = /^application\/json\b/i.test(c.req.header("content-type") ?? "");
  const body = isJson ? c.req.valid("json") : await beaconBody(await c.req.text());
  c.header("cache-control", "no-store");
  return c.json(await recordHeartbeat(c, body), 202);
});
