/**
 * HTTP surface of a transcoder node (Hono). Thin: verifies the edge's signature over the
 * raw body, validates the job with the shared zod schema and hands it to the JobRunner.
 *
 *   POST /jobs     x-streamline-signature: t=…,v1=…   body: contracts Job
 *                  202 {accepted:true} | 400 | 401 | 409 | 413 | 429 | 503 (+ Retry-After)
 *   GET  /healthz  200/503 { ok, node, running, capacity, draining }
 */
import { Job, SIGNATURE_HEADER, verifyBody } from "@streamline/contracts";
import { Hono } from "hono";
import { errorMessage, log } from "./log.ts";
import type { JobRunner } from "./runner.ts";

export interface ServerDeps {
  runner: JobRunner;
  secret: string;
  nodeId: string;
}

/** Jobs are a few hundred bytes; anything large is not from the edge. */
const MAX_BODY_BYTES = 64 * 1024;

function errorBody(code: string, message: string, issues?: unknown[]) {
  return { error: { code, message, ...(issues ? { issues } : {}) } };
}

export function createApp(deps: ServerDeps): Hono {
  const app = new Hono();
  const { runner } = deps;

  app.get("/healthz", (c) => {
    const ok = !runner.isDraining;
    return c.json(
      {
        ok,
        node: deps.nodeId,
        running: runner.runningCount,
        capacity: runner.capacity,
        draining: runner.isDraining,
      },
      ok ? 200 : 503,
    );
  });

  app.post("/jobs", async (c) => {
    if (runner.isDraining) {
      c.header("Retry-After", "10");
      return c.json(errorBody("shutting_down", "this transcoder node is shutting down"), 503);
    }
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > MAX_BODY_BYTES) return c.json(errorBody("payload_too_large", "job body too large"), 413);
    // The signature covers the exact bytes sent: verify the raw text before parsing.
    const raw = await c.req.text();
    if (raw.length > MAX_BODY_BYTES) return c.json(errorBody("payload_too_large", "job body too large"), 413);
    const check = await verifyBody(deps.secret, raw, c.req.header(SIGNATURE_HEADER));
    if (!check.ok) {
      return c.json(errorBody("bad_signature", `job signature ${check.reason}`), 401);
    }

    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return c.json(errorBody("invalid_json", "body is not valid JSON"), 400);
    }
    const parsed = Job.safeParse(json);
    if (!parsed.success) {
      return c.json(errorBody("invalid_job", "job payload failed validation", parsed.error.issues), 400);
    }

    const job = parsed.data;
    if (job.type !== "transcode") {
      // Known to the contracts, not (yet) to this node's pipeline: say so plainly.
      return c.json(errorBody("unsupported_job", `this node does not run "${job.type}" jobs`), 422);
    }
    const admission = await runner.submit(job);
    switch (admission.status) {
      case "accepted":
        log.info("job accepted", { videoId: job.videoId, jobId: job.jobId, attemptId: job.attemptId });
        return c.json({ accepted: true, node: deps.nodeId }, 202);
      case "busy":
        c.header("Retry-After", String(admission.retryAfterSec));
        return c.json(errorBody("at_capacity", "all job slots on this node are busy"), 429);
      case "draining":
        c.header("Retry-After", String(admission.retryAfterSec));
        return c.json(errorBody("shutting_down", "this transcoder node is shutting down"), 503);
      case "duplicate":
        // Same attempt = a redelivery of work in progress (ack it). Another attempt = the
        // previous one still holds the claim (retry after it expires).
        if (!admission.sameAttempt) c.header("Retry-After", String(admission.retryAfterSec));
        return c.json(
          admission.sameAttempt
            ? errorBody("already_running", "this job attempt is already running")
            : errorBody("job_claimed", "another attempt of this job holds the claim"),
          409,
        );
    }
  });

  app.notFound((c) => c.json(errorBody("not_found", "no such route"), 404));
  app.onError((err, c) => {
    log.error("unhandled request error", { path: c.req.path, error: errorMessage(err) });
    return c.json(errorBody("internal", "internal error"), 500);
  });
  return app;
}
