/**
 * The admin fleet page's overview (ADR 0028): the fleet's own registry (nodes, capacity,
 * running jobs) beside what D1 knows (transcodes queued and running, recent failures, the
 * jobs DLQ's records). The D1 half answers even when the fleet does not.
 */
import { type FleetOverview, FleetStatus } from "@streamline/contracts";
import { errorMessage } from "../../lib/log.ts";
import type { Services } from "../../lib/services.ts";
import { TranscoderClient } from "../../lib/transcoder-client.ts";
import { DeadJobsRepo } from "../jobs/dead-jobs.repo.ts";
import { deadJobDto } from "../jobs/dead-jobs.service.ts";
import { FleetRepo } from "./fleet.repo.ts";

const LIST_LIMIT = 50;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

async function registry(services: Pick<Services, "config">) {
  try {
    return {
      fleet: FleetStatus.parse(await new TranscoderClient(services.config).fleet()),
      fleetError: null,
    };
  } catch (err) {
    return { fleet: null, fleetError: `the transcoder fleet did not answer: ${errorMessage(err)}` };
  }
}

export async function fleetOverview(services: Services): Promise<FleetOverview> {
  const repo = new FleetRepo(services.db);
  const [{ fleet, fleetError }, queue, inFlight, failures, dead] = await Promise.all([
    registry(services),
    repo.queueDepth(),
    repo.inFlight(LIST_LIMIT),
    repo.recentFailures(20),
    new DeadJobsRepo(services.db).openDeadJobs(LIST_LIMIT),
  ]);
  const nodes = fleet?.nodes ?? [];
  return {
    fleet,
    fleetError,
    capacity: {
      nodes: nodes.length,
      slots: nodes.reduce((sum, n) => sum + n.capacity, 0),
      running: nodes.reduce((sum, n) => sum + n.running.length, 0),
    },
    queue: { depth: queue.depth, oldestQueuedAt: iso(queue.oldestQueuedAt) },
    inFlight: inFlight.map((j) => ({
      ...j,
      status: j.status === "processing" ? "processing" : "queued",
      queuedAt: iso(j.queuedAt),
      heartbeatAt: iso(j.heartbeatAt),
    })),
    recentFailures: failures.map((f) => ({ ...f, failedAt: new Date(f.failedAt).toISOString() })),
    deadJobs: dead.map(deadJobDto),
  };
}
