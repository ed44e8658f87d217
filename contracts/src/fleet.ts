/**
 * The admin fleet page's API (ADR 0028): `GET /api/admin/fleet/overview` (nodes, capacity,
 * jobs in flight, queue depth, recent failures, dead jobs) and
 * `POST /api/admin/fleet/dead-jobs/:id/retry`. Admins only.
 */
import { z } from "zod";
import { FleetStatus } from "./api.ts";

const Iso = z.string().datetime();

/** A job message the jobs queue gave up on (recorded by its DLQ consumer). */
export const DeadJobDto = z.object({
  id: z.string(),
  queue: z.string(),
  jobType: z.string(),
  jobId: z.string(),
  /** The job's video, or a channel image's user. */
  subject: z.string(),
  attempt: z.number().int(),
  /** The request that queued it (ADR 0028): grep both logs for it. */
  requestId: z.string().nullable(),
  /** Deliveries the queue made before giving up. */
  deliveries: z.number().int(),
  reason: z.string(),
  deadAt: Iso,
  retriedAt: Iso.nullable(),
});
export type DeadJobDto = z.infer<typeof DeadJobDto>;

/** A transcode waiting for the fleet (`queued`) or running (`processing`), from D1. */
export const FleetJobDto = z.object({
  videoId: z.string(),
  title: z.string(),
  status: z.enum(["queued", "processing"]),
  jobId: z.string().nullable(),
  attempt: z.number().int(),
  queuedAt: Iso.nullable(),
  /** The attempt's last sign of life (heartbeat or progress). */
  heartbeatAt: Iso.nullable(),
});
export type FleetJobDto = z.infer<typeof FleetJobDto>;

/** A video that ended `failed`, newest first, with the reason its owner sees. */
export const FleetFailureDto = z.object({
  videoId: z.string(),
  title: z.string(),
  attempt: z.number().int(),
  failureCode: z.string().nullable(),
  failureReason: z.string().nullable(),
  failedAt: Iso,
});
export type FleetFailureDto = z.infer<typeof FleetFailureDto>;

export const FleetOverview = z.object({
  /** The fleet's node registry; null when the fleet did not answer (`fleetError` says why). */
  fleet: FleetStatus.nullable(),
  fleetError: z.string().nullable(),
  /** Job slots and running jobs summed over the live nodes (0/0 when the fleet is unreachable). */
  capacity: z.object({ nodes: z.number().int(), slots: z.number().int(), running: z.number().int() }),
  /**
   * Transcodes waiting for a node: videos `queued` in D1. Cloudflare Queues tells a Worker no
   * depth, so messages still in the queue are counted by the state they put their video in.
   */
  queue: z.object({ depth: z.number().int(), oldestQueuedAt: Iso.nullable() }),
  inFlight: z.array(FleetJobDto),
  recentFailures: z.array(FleetFailureDto),
  /** Not yet retried, newest first. */
  deadJobs: z.array(DeadJobDto),
});
export type FleetOverview = z.infer<typeof FleetOverview>;

export const RetryDeadJobResponse = z.object({ deadJob: DeadJobDto });
export type RetryDeadJobResponse = z.infer<typeof RetryDeadJobResponse>;
