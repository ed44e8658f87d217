/**
 * Wraps a job's event reporter with what only the fleet knows:
 *
 * - a job stopped by a cancel (video deleted) reports `failed` with `retryable: false` —
 *   the edge must not schedule another attempt of a video that is going away;
 * - a job stopped because its claim was lost reports nothing: another node holds the job
 *   now (maybe this very attempt, after a Redis failover) and speaks for it;
 * - every progress update also feeds the node registry (stage, percent).
 *
 * A Proxy rather than a hand-written delegate, so reporter methods added by the pipeline
 * pass through untouched.
 */
import type { JobReporter, ProgressUpdate } from "../events.ts";
import { log } from "../log.ts";
import { ClaimLostError, JobCancelledError } from "./stop-reasons.ts";

export interface FleetReporterOptions {
  signal: AbortSignal;
  onProgress?: (stage: string, percent: number) => void;
}

export function fleetAwareReporter<T extends JobReporter>(inner: T, opts: FleetReporterOptions): T {
  const failed: JobReporter["failed"] = (reason, retryable, code) => {
    const why = opts.signal.aborted ? opts.signal.reason : undefined;
    if (why instanceof ClaimLostError) {
      log.warn("claim lost: not reporting this attempt's failure", { reason });
      return;
    }
    if (why instanceof JobCancelledError) return inner.failed(why.message, false);
    inner.failed(reason, retryable, code);
  };
  const progress: JobReporter["progress"] = (update: ProgressUpdate) => {
    opts.onProgress?.(update.stage, update.percent);
    inner.progress(update);
  };
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === "failed") return failed;
      if (prop === "progress") return progress;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
