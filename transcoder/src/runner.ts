/**
 * The node's job slots: admission (capacity, duplicates, claims), the background run of
 * each accepted job with claim extension on heartbeat, and draining on shutdown
 * (finish within a grace period, else cancel → the job reports `failed`
 * retryable:true and releases its claim).
 */
import type { TranscodeJobV1 } from "@streamline/contracts";
import type { JobClaims } from "./claims.ts";
import type { JobOutcome } from "./handle-job.ts";
import { errorMessage, log } from "./log.ts";

export interface JobContext {
  signal: AbortSignal;
  /** Extend the claim; call on every heartbeat. */
  onHeartbeat: () => Promise<void>;
}

export type ExecuteJob = (job: TranscodeJobV1, ctx: JobContext) => Promise<JobOutcome>;

export type Admission =
  | { status: "accepted" }
  | { status: "busy"; retryAfterSec: number }
  | { status: "draining"; retryAfterSec: number }
  | { status: "duplicate"; sameAttempt: boolean; retryAfterSec: number };

export interface JobRunnerOptions {
  maxJobs: number;
  claims: JobClaims;
  /** Claim TTL; extended on every heartbeat, so a few heartbeats long. */
  claimTtlMs: number;
  execute: ExecuteJob;
  /** Retry-After when full (default 30 s: a transcode takes minutes). */
  busyRetryAfterSec?: number;
}

interface RunningJob {
  job: TranscodeJobV1;
  abort: AbortController;
  done: Promise<void>;
}

export class ShutdownError extends Error {
  override name = "ShutdownError";
}

export class JobRunner {
  private readonly opts: JobRunnerOptions;
  /** Keyed by jobId: one attempt of a job at a time on this node. */
  private readonly running = new Map<string, RunningJob | "pending">();
  private draining = false;

  constructor(opts: JobRunnerOptions) {
    this.opts = opts;
  }

  get runningCount(): number {
    return this.running.size;
  }

  get capacity(): number {
    return this.opts.maxJobs;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Admits and starts `job` in the background, or says why not. */
  async submit(job: TranscodeJobV1): Promise<Admission> {
    if (this.draining) return { status: "draining", retryAfterSec: 10 };
    const local = this.running.get(job.jobId);
    if (local) {
      const sameAttempt = local === "pending" || local.job.attemptId === job.attemptId;
      return { status: "duplicate", sameAttempt, retryAfterSec: Math.ceil(this.opts.claimTtlMs / 1000) };
    }
    if (this.running.size >= this.opts.maxJobs) {
      return { status: "busy", retryAfterSec: this.opts.busyRetryAfterSec ?? 30 };
    }
    // Reserve the slot before the first await so concurrent submits cannot overbook.
    this.running.set(job.jobId, "pending");
    let claimed: Awaited<ReturnType<JobClaims["claim"]>>;
    try {
      claimed = await this.opts.claims.claim(job.jobId, job.attemptId, this.opts.claimTtlMs);
    } catch (err) {
      this.running.delete(job.jobId);
      throw err;
    }
    if (!claimed.ok) {
      this.running.delete(job.jobId);
      return {
        status: "duplicate",
        sameAttempt: claimed.sameAttempt,
        retryAfterSec: Math.max(1, Math.ceil(claimed.retryAfterMs / 1000)),
      };
    }
    const abort = new AbortController();
    const entry: RunningJob = { job, abort, done: Promise.resolve() };
    entry.done = this.run(entry);
    this.running.set(job.jobId, entry);
    return { status: "accepted" };
  }

  private async run(entry: RunningJob): Promise<void> {
    const { job, abort } = entry;
    const ctx = { videoId: job.videoId, jobId: job.jobId, attemptId: job.attemptId };
    try {
      await this.opts.execute(job, {
        signal: abort.signal,
        onHeartbeat: async () => {
          const kept = await this.opts.claims.extend(job.jobId, job.attemptId, this.opts.claimTtlMs);
          if (!kept) log.warn("job claim lost (expired and taken elsewhere?)", ctx);
        },
      });
    } catch (err) {
      // execute (handleJob) never throws by contract; this is the last line of defence.
      log.error("job crashed", { ...ctx, error: errorMessage(err) });
    } finally {
      await this.opts.claims.release(job.jobId, job.attemptId).catch((err: unknown) => {
        log.warn("claim release failed", { ...ctx, error: errorMessage(err) });
      });
      this.running.delete(job.jobId);
    }
  }

  /**
   * Stops admitting, waits up to `graceMs` for running jobs, then cancels the rest and
   * waits for them to report and clean up.
   */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    const all = () => [...this.running.values()].filter((r): r is RunningJob => r !== "pending");
    const settled = () => Promise.all(all().map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      settled().then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
    if (timedOut) this.cancelAll("transcoder shutting down: job released for another node");
    await settled();
  }

  /** Cancels every running job now (second signal / tests). */
  cancelAll(reason: string): void {
    for (const r of this.running.values()) {
      if (r !== "pending") r.abort.abort(new ShutdownError(reason));
    }
  }
}
