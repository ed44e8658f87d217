/**
 * Why a running job's AbortSignal fired, as typed reasons: the runner sets them
 * (runner.ts), the fleet-aware reporter reads them to decide what the edge is told
 * (fleet-reporter.ts). A leaf, so neither has to import the other.
 */

/** The node is shutting down: the job is released for another node (reported retryable). */
export class ShutdownError extends Error {
  override name = "ShutdownError";
}

/** The job was cancelled on purpose (video deleted): final, not a failure to retry. */
export class JobCancelledError extends Error {
  override name = "JobCancelledError";
}

/** Our claim expired and someone else may hold it now: stop, the job is theirs. */
export class ClaimLostError extends Error {
  override name = "ClaimLostError";
}

/**
 * The claim store (Redis) did not confirm our claim for most of its TTL: stopped before it
 * could expire, so no other node runs the job at the same time. Nobody else holds the job:
 * reported `failed`, retryable, so the edge schedules the next attempt (ADR 0031).
 */
export class ClaimUnconfirmedError extends Error {
  override name = "ClaimUnconfirmedError";
}
