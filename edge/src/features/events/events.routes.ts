/**
 * `POST /internal/transcoder/events`: the fleet's signed event intake. Unsigned, stale
 * or tampered requests get 401 before the body is even parsed as JSON. The signed bytes
 * are the truth whatever their Content-Type, so the body is parsed here after the
 * signature check (same error shape) rather than by the route's JSON validator; the
 * document still carries the event schema (zod's own JSON Schema of `TranscoderEvent`).
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  ChannelImageEvent,
  EventOutcomeResponse,
  isChannelImageEventType,
  SIGNATURE_HEADER,
  signedPath,
  TranscoderEvent,
  verifyRequest,
} from "@streamline/contracts";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError, validationError } from "../../lib/errors.ts";
import { annotateLog, errorMessage, log } from "../../lib/log.ts";
import { errorDoc, errors, json, jsonBody, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO_ID } from "../../lib/openapi-examples.ts";
import { apiBodyLimit } from "../../middleware/body-limit/index.ts";
import { ChannelsService } from "../channels/channels.service.ts";
import { queueOf } from "../jobs/jobs.service.ts";
import { notifyQueue } from "../notifications/notifier.ts";
import { roomNotifier } from "../progress/room-notifier.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { webhooks } from "../webhooks/emit.ts";
import { EventsService } from "./events.service.ts";

/** The largest event the intake reads (the largest real one, `done` with its renditions, is a few KiB). */
export const MAX_EVENT_BYTES = 256 * 1024;

const STATUS = { applied: 200, duplicate: 200, stale_attempt: 409, video_gone: 410 } as const;

/** The request's verified, parsed event (set by `signedEvent`, read by the handler). */
const verified = new WeakMap<Request, TranscoderEvent | ChannelImageEvent>();

/** Size cap and fleet→edge signature check (method, path, body, time), then JSON and the event schema. */
function signedEvent(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // apiBodyLimit (before this) already refused a body over MAX_EVENT_BYTES, declared or streamed.
    const body = await c.req.text();
    const check = await verifyRequest(
      c.var.services.config.TRANSCODER_SECRET,
      "fleet-to-edge",
      { method: c.req.method, path: signedPath(c.req.url), body },
      c.req.header(SIGNATURE_HEADER),
    );
    if (!check.ok) throw new AppError(401, "bad_signature", `event signature ${check.reason}`);
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      throw new AppError(400, "invalid_json", "event is not valid JSON");
    }
    // A channel-image job's result belongs to a user, not a video (features/channels).
    const parsed = isChannelImageEventType(raw)
      ? ChannelImageEvent.safeParse(raw)
      : TranscoderEvent.safeParse(raw);
    if (!parsed.success) throw validationError(parsed.error);
    verified.set(c.req.raw, parsed.data);
    await next();
  };
}

const { $schema: _dialect, ...eventJsonSchema } = z.toJSONSchema(
  z.union([TranscoderEvent, ChannelImageEvent]),
  {
    io: "input",
  },
);
/** JSON Schema 2020-12, which is OpenAPI 3.1's schema dialect. */
const EVENT_SCHEMA = eventJsonSchema as Record<never, never>;

const intake = createRoute({
  method: "post",
  path: "/events",
  tags: ["internal"],
  summary: "Transcoder events (signed by the fleet)",
  description: `Signed fleet→edge with the key derived from TRANSCODER_SECRET, over method, path, body and time, in the \`${SIGNATURE_HEADER}\` header (\`t=<unix>,v2=<hex>\`, ADR 0010).`,
  // The size cap comes first: an unauthenticated body is never read past MAX_EVENT_BYTES.
  middleware: [apiBodyLimit(MAX_EVENT_BYTES), signedEvent()] as const,
  request: {
    body: jsonBody(EVENT_SCHEMA, {
      v: 1,
      type: "heartbeat",
      node: "node-1",
      videoId: VIDEO_ID,
      jobId: "j_3fJk2LmN8pQr5sTu",
      attempt: 1,
      attemptId: "a_1234567890abcdef",
      seq: 7,
      at: "2026-11-23T10:06:00.000Z",
    }),
  },
  responses: {
    200: json(EventOutcomeResponse, "Applied, or a duplicate of one already applied", { outcome: "applied" }),
    ...errors(400, 413),
    401: errorDoc(401, { code: "bad_signature", message: "event signature missing" }),
    409: json(EventOutcomeResponse, "From an attempt that is no longer current", {
      outcome: "stale_attempt",
    }),
    410: json(EventOutcomeResponse, "The video was deleted", { outcome: "video_gone" }),
    415: errorDoc(415),
  },
});

/**
 * The event's ids join the request's log scope, and the event is logged with its outcome
 * (heartbeats and progress at `debug`: one a second per job). `requestId` is the request
 * that queued the job, echoed by the fleet (ADR 0028).
 */
function logEvent(ev: TranscoderEvent | ChannelImageEvent, outcome: keyof typeof STATUS): void {
  const channelImage = ev.type === "channel-image" || ev.type === "channel-image-failed";
  annotateLog({
    videoId: channelImage ? ev.userId : ev.videoId,
    jobId: ev.jobId,
    attempt: channelImage ? undefined : ev.attempt,
    attemptId: ev.attemptId,
    requestId: ev.requestId,
  });
  const fields = { event: ev.type, seq: channelImage ? undefined : ev.seq, outcome };
  if (ev.type === "heartbeat" || ev.type === "progress") log.debug("transcoder event", fields);
  else if (ev.type === "failed" || ev.type === "channel-image-failed")
    log.warn("transcoder event", { ...fields, reason: ev.reason });
  else log.info("transcoder event", fields);
}

export const eventsRoutes = openApiRouter().openapi(intake, async (c) => {
  const { services } = c.var;
  const ev = verified.get(c.req.raw)!;
  if (ev.type === "channel-image" || ev.type === "channel-image-failed") {
    const outcome = await ChannelsService.from(services).applyImageEvent(ev, (work) =>
      c.executionCtx.waitUntil(work),
    );
    logEvent(ev, outcome);
    return c.json({ outcome }, STATUS[outcome]);
  }
  const events = new EventsService({
    repo: new VideosRepo(services.db),
    store: services.store,
    queue: queueOf(services.env.JOBS),
    room: roomNotifier(services.env, services.config.JOB_LEASE_SECONDS * 1000),
    maxAttempts: services.config.MAX_TRANSCODE_ATTEMPTS,
    notify: notifyQueue(services.env),
    webhooks: webhooks(services.env),
  });
  const outcome = await events.apply(ev);
  logEvent(ev, outcome);
  if (ev.type === "done" && outcome === "applied") {
    c.executionCtx.waitUntil(
      events
        .pruneIntermediateMasters(ev.videoId, ev.masterKey)
        .catch((err) => log.warn("pruning intermediate masters failed", { error: errorMessage(err) })),
    );
  }
  return c.json({ outcome }, STATUS[outcome]);
});
