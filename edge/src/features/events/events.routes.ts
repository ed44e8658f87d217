/**
 * `POST /internal/transcoder/events`: the fleet's signed event intake. Unsigned, stale
 * or tampered requests get 401 before the body is even parsed as JSON.
 */
import { SIGNATURE_HEADER, TranscoderEvent, verifyBody } from "@streamline/contracts";
import { Hono } from "hono";
import type { AppEnv } from "../../app-env.ts";
import { AppError, validationError } from "../../lib/errors.ts";
import { queueOf } from "../jobs/jobs.service.ts";
import { roomNotifier } from "../progress/room-notifier.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { EventsService } from "./events.service.ts";

const MAX_EVENT_BYTES = 256 * 1024;

const STATUS = { applied: 200, duplicate: 200, stale_attempt: 409, video_gone: 410 } as const;

export const eventsRoutes = new Hono<AppEnv>().post("/events", async (c) => {
  const { services } = c.var;
  const body = await c.req.text();
  if (body.length > MAX_EVENT_BYTES) throw new AppError(413, "payload_too_large", "event too large");
  const check = await verifyBody(services.config.TRANSCODER_SECRET, body, c.req.header(SIGNATURE_HEADER));
  if (!check.ok) throw new AppError(401, "bad_signature", `event signature ${check.reason}`);
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new AppError(400, "invalid_json", "event is not valid JSON");
  }
  const parsed = TranscoderEvent.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  const events = new EventsService({
    repo: new VideosRepo(services.db),
    store: services.store,
    queue: queueOf(services.env.JOBS),
    room: roomNotifier(services.env, services.config.JOB_LEASE_SECONDS * 1000),
    maxAttempts: services.config.MAX_TRANSCODE_ATTEMPTS,
  });
  const outcome = await events.apply(parsed.data);
  const ev = parsed.data;
  if (ev.type === "done" && outcome === "applied") {
    c.executionCtx.waitUntil(
      events
        .pruneIntermediateMasters(ev.videoId, ev.masterKey)
        .catch((err) => console.warn(`pruning intermediate masters of ${ev.videoId} failed: ${String(err)}`)),
    );
  }
  return c.json({ outcome }, STATUS[outcome]);
});
