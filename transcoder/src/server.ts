/**
 * HTTP surface of a transcoder node (Hono). Thin: verifies the edge's signature over the
 * raw body, validates with the shared zod schemas and hands over to the JobRunner and
 * the fleet (cancel bus, node registry).
 *
 *   POST /jobs               body: contracts Job; `x-request-id` (optional) names the edge request
 *                            that queued it: every log line of the job and every event carries it
 *                            202 {accepted,node} | 400 | 401 | 409 | 413 | 422 | 429 | 503
 *   POST /jobs/:jobId/cancel body: { jobId, videoId, reason }
 *                            202 {accepted,node,runningHere,receivers} | 400 | 401 | 413 | 503
 *   GET  /fleet              (signature over the empty body) 200 { backend, nodes } | 401 | 503
 *   GET  /healthz            200/503 contracts TranscoderHealth { ok, node, running, capacity, draining }
 *   GET  /metrics            200 Prometheus text (metrics.ts) | 401 when METRICS_TOKEN is set and not given
 *
 * Every signed route takes `x-streamline-signature: t=…,v2=…`, signed edge→fleet over
 * method, path, body and time (contracts/service-signature.ts, ADR 0010).
 */

import { timingSafeEqual } from "node:crypto";
import {
  acceptRequestId,
  Job,
  REQUEST_ID_HEADER,
  SIGNATURE_HEADER,
  signedPath,
  type TranscoderHealth,
  verifyRequest,
} from "@streamline/contracts";
import { type Context, Hono } from "hono";
import { type CancelBus, CancelRequest } from "./fleet/cancel-bus.ts";
import type { NodeInfo, NodeRegistry } from "./fleet/registry.ts";
import { errorMessage, log } from "./log.ts";
import { METRICS_CONTENT_TYPE, metricsText } from "./metrics.ts";
import { type Admission, type JobRunner, jobLogFields } from "./runner.ts";

export interface ServerDeps {
  runner: JobRunner;
  secret: string;
  /** When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | undefined;
  nodeId: string;
  fleet: {
    backend: "redis" | "memory";
    cancels: CancelBus;
    registry: NodeRegistry;
    /** This node's entry, fresh (the registry copy may be a refresh behind). */
    describe: () => NodeInfo;
  };
}

/** Jobs are a few hundred bytes; anything large is not from the edge. */
const MAX_BODY_BYTES = 64 * 1024;

function errorBody(code: string, message: string, issues?: unknown[]) {
  return { error: { code, message, ...(issues ? { issues } : {}) } };
}

type Signed = { ok: true; raw: string } | { ok: false; response: Response };

/** Reads the raw body (bounded) and checks its signature before anything parses it. */
async function readSigned(c: Context, secret: string, what: string): Promise<Signed> {
  const tooLarge = () => ({
    ok: false as const,
    response: c.json(errorBody("payload_too_large", `${what} body too large`), 413),
  });
  if (Number(c.req.header("content-length") ?? "0") > MAX_BODY_BYTES) return tooLarge();
  const raw = c.req.method === "GET" ? "" : await c.req.text();
  if (raw.length > MAX_BODY_BYTES) return tooLarge();
  const check = await verifyRequest(
    secret,
    "edge-to-fleet",
    { method: c.req.method, path: signedPath(c.req.url), body: raw },
    c.req.header(SIGNATURE_HEADER),
  );
  if (!check.ok) {
    return {
      ok: false,
      response: c.json(errorBody("bad_signature", `${what} signature ${check.reason}`), 401),
    };
  }
  return { ok: true, raw };
}

function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

export function createApp(deps: ServerDeps): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => health(c, deps));
  app.post("/jobs", (c) => submitJob(c, deps));
  app.post("/jobs/:jobId/cancel", (c) => cancelJob(c, deps));
  app.get("/fleet", (c) => listFleet(c, deps));
  app.get("/metrics", (c) => metrics(c, deps.metricsToken));
  app.notFound((c) => c.json(errorBody("not_found", "no such route"), 404));
  app.onError((err, c) => {
    log.error("unhandled request error", { path: c.req.path, error: errorMessage(err) });
    return c.json(errorBody("internal", "internal error"), 500);
  });
  return app;
}

async function metrics(c: Context, token: string | undefined): Promise<Response> {
  if (token !== undefined && !bearerMatches(c.req.header("authorization"), token)) {
    c.header("www-authenticate", 'Bearer realm="metrics"');
    return c.json(errorBody("unauthorized", "metrics need the bearer token (METRICS_TOKEN)"), 401);
  }
  return c.body(await metricsText(), 200, { "content-type": METRICS_CONTENT_TYPE });
}

/** Constant-time comparison of `Bearer <token>` against the configured token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith("Bearer ") ? header.slice(7) : "");
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function health(c: Context, { runner, nodeId }: ServerDeps): Response {
  const ok = !runner.isDraining;
  const body: TranscoderHealth = {
    ok,
    node: nodeId,
    running: runner.runningCount,
    capacity: runner.capacity,
    draining: runner.isDraining,
  };
  return c.json(body, ok ? 200 : 503);
}

async function submitJob(c: Context, deps: ServerDeps): Promise<Response> {
  if (deps.runner.isDraining) {
    c.header("Retry-After", "10");
    return c.json(errorBody("shutting_down", "this transcoder node is shutting down"), 503);
  }
  const signed = await readSigned(c, deps.secret, "job");
  if (!signed.ok) return signed.response;
  const json = parseJson(signed.raw);
  if (!json.ok) return c.json(errorBody("invalid_json", "body is not valid JSON"), 400);
  const parsed = Job.safeParse(json.value);
  if (!parsed.success) {
    return c.json(errorBody("invalid_job", "job payload failed validation", parsed.error.issues), 400);
  }
  // The request id travels as a header (ADR 0028); the queue hop put it in the body as well.
  const requestId = acceptRequestId(c.req.header(REQUEST_ID_HEADER)) ?? parsed.data.requestId;
  const job = requestId ? { ...parsed.data, requestId } : parsed.data;
  const admission = await deps.runner.submit(job);
  if (admission.status === "accepted") {
    log.info("job accepted", { ...jobLogFields(job), type: job.type });
    return c.json({ accepted: true, node: deps.nodeId }, 202);
  }
  return refusal(c, admission);
}

/** Why a job was not admitted, as the edge's queue consumer reads it (ack, retry after, …). */
function refusal(c: Context, admission: Exclude<Admission, { status: "accepted" }>): Response {
  switch (admission.status) {
    case "busy":
      c.header("Retry-After", String(admission.retryAfterSec));
      return c.json(errorBody("at_capacity", "all job slots on this node are busy"), 429);
    case "draining":
      c.header("Retry-After", String(admission.retryAfterSec));
      return c.json(errorBody("shutting_down", "this transcoder node is shutting down"), 503);
    case "unavailable":
      c.header("Retry-After", String(admission.retryAfterSec));
      return c.json(errorBody("claims_unavailable", "the fleet's claim store is unreachable"), 503);
    case "cancelled":
      // Final: the edge acks it like any other 409 that is not `job_claimed`.
      return c.json(errorBody("job_cancelled", "this job was cancelled"), 409);
    case "duplicate":
      // Same attempt = a redelivery of work in progress (ack it). Another attempt = the
      // previous one still holds the claim (retry after it expires).
      if (!admission.sameAttempt) c.header("Retry-After", String(admission.retryAfterSec));
      return c.json(
        admission.sameAttempt
          ? errorBody("already_running", `this job attempt is already running (on ${admission.heldBy})`)
          : errorBody("job_claimed", `another attempt of this job holds the claim (on ${admission.heldBy})`),
        409,
      );
  }
}

async function cancelJob(c: Context, deps: ServerDeps): Promise<Response> {
  const signed = await readSigned(c, deps.secret, "cancel");
  if (!signed.ok) return signed.response;
  const json = parseJson(signed.raw);
  if (!json.ok) return c.json(errorBody("invalid_json", "body is not valid JSON"), 400);
  const parsed = CancelRequest.safeParse(json.value);
  if (!parsed.success) {
    return c.json(errorBody("invalid_cancel", "cancel payload failed validation", parsed.error.issues), 400);
  }
  const req = parsed.data;
  if (req.jobId !== c.req.param("jobId")) {
    return c.json(errorBody("job_id_mismatch", "the path and body name different jobs"), 400);
  }
  // Locally first: it works even while the subscription is reconnecting.
  const runningHere = deps.runner.cancel(req.jobId, req.reason, req.videoId);
  let receivers: number;
  try {
    ({ receivers } = await deps.fleet.cancels.publish({ ...req, from: deps.nodeId }));
  } catch (err) {
    log.warn("cancel broadcast failed", { jobId: req.jobId, error: errorMessage(err) });
    c.header("Retry-After", "5");
    return c.json(errorBody("fleet_unavailable", "could not reach the other nodes; retry"), 503);
  }
  log.info("cancel broadcast", { ...req, runningHere, receivers });
  return c.json({ accepted: true, node: deps.nodeId, runningHere, receivers }, 202);
}

async function listFleet(c: Context, { secret, fleet }: ServerDeps): Promise<Response> {
  const signed = await readSigned(c, secret, "fleet request");
  if (!signed.ok) return signed.response;
  let nodes: NodeInfo[];
  try {
    nodes = await fleet.registry.list();
  } catch (err) {
    log.warn("node registry unavailable", { error: errorMessage(err) });
    c.header("Retry-After", "5");
    return c.json(errorBody("fleet_unavailable", "the node registry is unreachable"), 503);
  }
  const self = fleet.describe();
  const all = [...nodes.filter((n) => n.nodeId !== self.nodeId), self].sort((a, b) =>
    a.nodeId.localeCompare(b.nodeId),
  );
  return c.json({ backend: fleet.backend, nodes: all });
}
