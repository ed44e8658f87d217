/**
 * `GET /api/admin/fleet`: the transcoder nodes, their capacity and running jobs, as the
 * fleet's registry reports them. `GET /api/admin/fleet/overview`: that beside D1's view —
 * queue depth, jobs in flight, recent failures, dead jobs — and
 * `POST /api/admin/fleet/dead-jobs/:id/retry` (the admin fleet page, ADR 0028).
 * Admins only (role `admin` in D1); anyone else gets 404 so the endpoints don't advertise themselves.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { FleetOverview, FleetResponse, FleetStatus, RetryDeadJobResponse } from "@streamline/contracts";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { BEARER, errorDoc, errors, json, openApiRouter } from "../../lib/openapi.ts";
import { TranscoderClient } from "../../lib/transcoder-client.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { hasRole } from "../auth/roles.ts";
import { retryDeadJob } from "../jobs/dead-jobs.service.ts";
import { fleetOverview } from "./fleet.service.ts";

const fleet = createRoute({
  method: "get",
  path: "/fleet",
  tags: ["admin"],
  summary: "The transcoder fleet's nodes (admins only)",
  security: BEARER,
  middleware: [requireAuth()] as const,
  responses: {
    200: json(FleetResponse, "The registry", {
      fleet: { nodes: [{ nodeId: "node-1", capacity: 4, running: [] }] },
    }),
    ...errors(401),
    404: errorDoc(404, { message: "page not found", description: "Not an admin" }),
    503: errorDoc(503, {
      code: "fleet_unavailable",
      message: "the transcoder fleet did not answer: timed out",
    }),
  },
});

const NOT_ADMIN = errorDoc(404, { message: "page not found", description: "Not an admin" });

/** 404 for anyone but an admin, before the rate limit and the parameters are looked at. */
function adminOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!(await hasRole(c.var.services.db, currentUserId(c), "admin"))) throw notFound("page");
    await next();
  };
}

const overview = createRoute({
  method: "get",
  path: "/fleet/overview",
  tags: ["admin"],
  summary: "The admin fleet page: nodes, capacity, queue depth, jobs in flight, failures, dead jobs",
  description:
    "The fleet's registry (null with `fleetError` when it does not answer) beside D1: transcodes " +
    "`queued` (the queue depth: Cloudflare Queues tells a Worker none) and `processing`, the 20 newest " +
    "failures with their reasons, and the jobs the jobs queue dead-lettered that were not retried yet.",
  security: BEARER,
  middleware: [requireAuth(), adminOnly()] as const,
  responses: {
    200: json(FleetOverview, "The overview", {
      fleet: { nodes: [{ nodeId: "node-1", capacity: 2, running: [] }] },
      fleetError: null,
      capacity: { nodes: 1, slots: 2, running: 0 },
      queue: { depth: 0, oldestQueuedAt: null },
      inFlight: [],
      recentFailures: [],
      deadJobs: [],
    }),
    ...errors(401),
    404: NOT_ADMIN,
  },
});

const DeadJobParams = z.object({
  id: z
    .string()
    .regex(/^dj_[A-Za-z0-9]{16}$/)
    .openapi({ param: { name: "id", in: "path" }, example: "dj_3fJk2LmN8pQr5sTu" }),
});

const retry = createRoute({
  method: "post",
  path: "/fleet/dead-jobs/{id}/retry",
  tags: ["admin"],
  summary: "Send a dead-lettered job to the fleet again (admins only)",
  description:
    "The same job and attempt goes back on the jobs queue; a transcode's video returns from `failed` " +
    "to `queued`. 409 when it was retried already or a newer attempt replaced it; 410 when its video " +
    "is gone. Limited per admin (`RL_EDITS`, its own budget).",
  security: BEARER,
  middleware: [
    requireAuth(),
    adminOnly(),
    rateLimit("RL_EDITS", (c) => `fleet-retry:${c.var.userId}`),
  ] as const,
  request: { params: DeadJobParams },
  responses: {
    200: json(RetryDeadJobResponse, "Queued again", {
      deadJob: {
        id: "dj_3fJk2LmN8pQr5sTu",
        queue: "streamline-jobs",
        jobType: "transcode",
        jobId: "j_3fJk2LmN8pQr5sTu",
        subject: "v_3fJk2LmN8pQr5sTu",
        attempt: 1,
        requestId: "0b5e7c1a-3f0e-4c55-9d7e-2a1c9b8e4f10",
        deliveries: 9,
        reason: "not dispatched after 9 deliveries: the fleet was unreachable, busy or refused it",
        deadAt: "2026-12-07T22:00:00.000Z",
        retriedAt: "2026-12-07T22:10:00.000Z",
      },
    }),
    ...errors(400, 401, 429),
    404: errorDoc(404, { message: "dead job not found", description: "Not an admin, or no such dead job" }),
    409: errorDoc(409, { code: "already_retried", message: "this dead job was retried already" }),
    410: errorDoc(410, { code: "video_gone", message: "the job's video was deleted" }),
  },
});

export const fleetRoutes = openApiRouter()
  .openapi(overview, async (c) => c.json(await fleetOverview(c.var.services), 200))
  .openapi(retry, async (c) => {
    const deadJob = await retryDeadJob(c.var.services, c.req.valid("param").id, currentUserId(c));
    return c.json({ deadJob }, 200);
  })
  .openapi(fleet, async (c) => {
    const { config, db } = c.var.services;
    if (!(await hasRole(db, currentUserId(c), "admin"))) throw notFound("page");
    let registry: FleetStatus;
    try {
      registry = FleetStatus.parse(await new TranscoderClient(config).fleet());
    } catch (err) {
      throw new AppError(
        503,
        "fleet_unavailable",
        `the transcoder fleet did not answer: ${err instanceof Error ? err.message : err}`,
        { headers: { "retry-after": "5" } },
      );
    }
    return c.json({ fleet: registry }, 200);
  });
