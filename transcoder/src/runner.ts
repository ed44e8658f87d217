/**
 * The node's job slots: admission (capacity, duplicates, cancel tombstones, fleet-wide
 * claims), the background run of each accepted job with claim extension on heartbeat,
 * cancellation (a video deleted mid-transcode), and draining on shutdown (finish within a
 * grace period, else cancel → the job reports `failed` retryable:true and releases its
 * claim).
 */
import { type Job, jobSubject } from "@streamline/contracts";
import { ClaimFence } from "./fleet/claim-fence.ts";
import type { ClaimOwner, JobClaims } from "./fleet/claims.ts";
import type { RunningJobInfo } from "./fleet/registry.ts";
import {
  ClaimLostError,
  ClaimUnconfirmedError,
  JobCancelledError,
  ShutdownError,
} from "./fleet/stop-reasons.ts";
import { errorMessage, type LogFields, log, withLogContext } from "./log.ts";
import { type JobKind, recordClaimConflict, recordJobEnd, recordQueueWait } from "./metrics.ts";

/** The log scope of a job: the request that queued it (`x-request-id` of the dispatch) and its ids. */
export function jobLogFields(job: Job): LogFields {
  return {
    requestId: job.requestId,
    videoId: jobSubject(job),
    jobId: job.jobId,
    attempt: job.attempt,
    attemptId: job.attemptId,
  };
}

/** Concurrent image jobs per node, besides the transcode slots (MAX_JOBS). */
export const IMAGE_JOB_SLOTS = 2;

/** Small, seconds-long jobs: resizing one image, or remuxing a rung into an MP4 (no encode). */
export function isImageJob(job: Job): boolean {
  return job.type === "poster" || job.type === "channel-image" || job.type === "download";
}

export interface JobContext {
  signal: AbortSignal;
  /** Extend the claim; call on every heartbeat. */
  onHeartbeat: () => Promise<void>;
  /** Latest stage/percent, shown in the node registry. */
  onProgress: (stage: string, percent: number) => void;
}

/** Runs any job type (main.ts dispatches by `job.type`); never throws by contract. */
export type ExecuteJob = (job: Job, ctx: JobContext) => Promise<unknown>;

export type Admission =
  | { status: "accepted" }
  | { status: "busy"; retryAfterSec: number }
  | { status: "draining"; retryAfterSec: number }
  | { status: "duplicate"; sameAttempt: boolean; heldBy: string; retryAfterSec: number }
  /** The job was cancelled (its video deleted): never run it. */
  | { status: "cancelled" }
  /** The claim store (Redis) did not answer: nothing was started. */
  | { status: "unavailable"; retryAfterSec: number };

export interface JobRunnerOptions {
  nodeId: string;
  maxJobs: number;
  claims: JobClaims;
  /** Claim TTL; extended on every heartbeat, so a few heartbeats long. */
  claimTtlMs: number;
  execute: ExecuteJob;
  /** Retry-After when full (default 30 s: a transcode takes minutes). */
  busyRetryAfterSec?: number;
  /** Cancel tombstones: a job cancelled before it got here is refused. */
  isCancelled?: (jobId: string) => Promise<boolean>;
  /** Called when the running set (or a job's stage) changes: refresh the registry. */
  onChange?: () => void;
}

interface RunningJob {
  job: Job;
  owner: ClaimOwner;
  abort: AbortController;
  done: Promise<void>;
  /** False while admission is still checking claims. */
  started: boolean;
  startedAt: string;
  /** When the claim was asked for (ms): the start of the window in which it is surely ours. */
  claimedAt: number;
  stage?: string;
  percent?: number;
}

export class JobRunner {
  private readonly opts: JobRunnerOptions;
  /** Keyed by jobId: one attempt of a job at a time on this node. */
  private readonly running = new Map<string, RunningJob>();
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

  get nodeId(): string {
    return this.opts.nodeId;
  }

  /** Running jobs by kind (the `jobs_in_flight` gauge). */
  countsByKind(): Record<JobKind, number> {
    const counts: Record<JobKind, number> = { transcode: 0, poster: 0, "channel-image": 0, download: 0 };
    for (const r of this.running.values()) if (r.started) counts[r.job.type] += 1;
    return counts;
  }

  /** The jobs running here, for the registry. */
  snapshot(): RunningJobInfo[] {
    return [...this.running.values()]
      .filter((r) => r.started)
      .map((r) => ({
        jobId: r.job.jobId,
        videoId: jobSubject(r.job),
        attempt: r.job.attempt,
        attemptId: r.job.attemptId,
        startedAt: r.startedAt,
        ...(r.stage !== undefined ? { stage: r.stage } : {}),
        ...(r.percent !== undefined ? { percent: r.percent } : {}),
      }));
  }

  /**
   * Admits and starts `job` in the background, or says why not. Everything the job logs —
   * admission, the run, its events — carries its ids and request id (ADR 0028).
   */
  submit(job: Job): Promise<Admission> {
    return withLogContext(jobLogFields(job), () => this.admit(job));
  }

  private async admit(job: Job): Promise<Admission> {
    if (this.draining) return { status: "draining", retryAfterSec: 10 };
    const local = this.running.get(job.jobId);
    if (local) {
      return {
        status: "duplicate",
        sameAttempt: local.job.attemptId === job.attemptId,
        heldBy: this.opts.nodeId,
        retryAfterSec: Math.ceil(this.opts.claimTtlMs / 1000),
      };
    }
    // Image jobs (posters, channel images) take seconds: they have their own small budget, so
    // an avatar never waits behind a long transcode, and they never take a transcode's slot.
    const image = isImageJob(job);
    const inClass = [...this.running.values()].filter((r) => isImageJob(r.job) === image).length;
    if (inClass >= (image ? IMAGE_JOB_SLOTS : this.opts.maxJobs)) {
      return { status: "busy", retryAfterSec: image ? 5 : (this.opts.busyRetryAfterSec ?? 30) };
    }
    // Reserve the slot before the first await so concurrent submits cannot overbook, and
    // so a cancel arriving during admission finds the job (and aborts it).
    const entry: RunningJob = {
      job,
      owner: { nodeId: this.opts.nodeId, attemptId: job.attemptId },
      abort: new AbortController(),
      done: Promise.resolve(),
      started: false,
      startedAt: new Date().toISOString(),
      claimedAt: Date.now(),
    };
    this.running.set(job.jobId, entry);
    const refused = await this.claim(entry);
    if (refused) return refused;
    entry.started = true;
    entry.done = this.run(entry);
    this.opts.onChange?.();
    return { status: "accepted" };
  }

  /**
   * Cancel tombstone, then the fleet-wide claim: null when the job may start, else why
   * not, with its reserved slot freed (a claim taken while cancelling or draining is given
   * straight back).
   */
  private async claim(entry: RunningJob): Promise<Exclude<Admission, { status: "accepted" }> | null> {
    const { job } = entry;
    const free = () => this.running.delete(job.jobId);
    let claimed: Awaited<ReturnType<JobClaims["claim"]>>;
    try {
      if (await this.opts.isCancelled?.(job.jobId)) {
        free();
        return { status: "cancelled" };
      }
      entry.claimedAt = Date.now();
      claimed = await this.opts.claims.claim(job.jobId, entry.owner, this.opts.claimTtlMs);
    } catch (err) {
      free();
      const ctx = { videoId: jobSubject(job), jobId: job.jobId, attemptId: job.attemptId };
      log.warn("claim store unavailable: job refused", { ...ctx, error: errorMessage(err) });
      return { status: "unavailable", retryAfterSec: 5 };
    }
    if (!claimed.ok) {
      free();
      recordClaimConflict();
      return {
        status: "duplicate",
        sameAttempt: claimed.sameAttempt,
        heldBy: claimed.holder.nodeId,
        retryAfterSec: Math.max(1, Math.ceil(claimed.retryAfterMs / 1000)),
      };
    }
    if (entry.abort.signal.aborted || this.draining) {
      // Cancelled or draining while we were claiming: give the claim straight back.
      free();
      await this.opts.claims.release(job.jobId, entry.owner).catch(() => {});
      return entry.abort.signal.reason instanceof JobCancelledError
        ? { status: "cancelled" }
        : { status: "draining", retryAfterSec: 10 };
    }
    recordQueueWait(job.type, job.createdAt);
    return null;
  }

  /**
   * Aborts the job if it runs here (ffmpeg is killed through the AbortSignal, temp files
   * removed, the claim released). `videoId` must match when given. True if it ran here.
   */
  cancel(jobId: string, reason: string, videoId?: string): boolean {
    const entry = this.running.get(jobId);
    if (!entry || (videoId !== undefined && jobSubject(entry.job) !== videoId)) return false;
    if (!entry.abort.signal.aborted) {
      log.info("cancelling job", {
        jobId,
        videoId: jobSubject(entry.job),
        attemptId: entry.job.attemptId,
        reason,
      });
      entry.abort.abort(new JobCancelledError(`cancelled: ${reason}`));
    }
    return true;
  }

  private async run(entry: RunningJob): Promise<void> {
    const { job, abort } = entry;
    const ctx = { videoId: jobSubject(job), jobId: job.jobId, attemptId: job.attemptId };
    const startedMs = Date.now();
    const fence = this.fenceFor(entry);
    let outcome = "crashed";
    try {
      const result = await this.opts.execute(job, {
        signal: abort.signal,
        onHeartbeat: () => this.extendClaim(entry, fence),
        onProgress: (stage, percent) => {
          const changed = stage !== entry.stage;
          entry.stage = stage;
          entry.percent = percent;
          if (changed) this.opts.onChange?.();
        },
      });
      outcome = outcomeOf(result);
    } catch (err) {
      // execute (handleJob) never throws by contract; this is the last line of defence.
      log.error("job crashed", { ...ctx, error: errorMessage(err) });
    } finally {
      fence.stop();
      await this.opts.claims.release(job.jobId, entry.owner).catch((err: unknown) => {
        log.warn("claim release failed", { ...ctx, error: errorMessage(err) });
      });
      this.running.delete(job.jobId);
      recordJobEnd(job.type, outcome, startedMs);
      this.opts.onChange?.();
    }
  }

  /** Stops the job before its unconfirmed claim could expire in the store (ADR 0031). */
  private fenceFor(entry: RunningJob): ClaimFence {
    const { job, abort } = entry;
    return new ClaimFence({
      ttlMs: this.opts.claimTtlMs,
      claimedAt: entry.claimedAt,
      onExpire: (silentMs) => {
        if (abort.signal.aborted) return;
        log.warn("claim store unreachable: stopping the job before its claim can expire", {
          ...jobLogFields(job),
          silentMs,
        });
        abort.abort(
          new ClaimUnconfirmedError("the fleet's claim store was unreachable; the job will be retried"),
        );
      },
    });
  }

  /** A heartbeat: extend (or, if the store lost it, re-take) the claim; stop if another holds it. */
  private async extendClaim(entry: RunningJob, fence: ClaimFence): Promise<void> {
    const { job, abort, owner } = entry;
    const askedAt = Date.now();
    let kept: boolean;
    try {
      kept = await this.opts.claims.extend(job.jobId, owner, this.opts.claimTtlMs);
    } catch (err) {
      // A Redis blip is not a reason to kill a healthy encode; the fence bounds a longer outage.
      log.warn("claim extension failed", { ...jobLogFields(job), error: errorMessage(err) });
      fence.unconfirmed();
      return;
    }
    if (kept) return fence.confirmed(askedAt);
    if (!abort.signal.aborted) {
      log.warn("job claim lost (taken by another attempt): stopping", jobLogFields(job));
      abort.abort(new ClaimLostError("job claim lost: another node may be running this job"));
    }
  }

  /**
   * Stops admitting, waits up to `graceMs` for running jobs, then cancels the rest and
   * waits for them to report and clean up.
   */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    this.opts.onChange?.();
    const settled = () => Promise.all([...this.running.values()].map((r) => r.done));
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

  /** Aborts every job here now (second signal / tests): they report `failed` retryable. */
  cancelAll(reason: string): void {
    for (const r of this.running.values()) {
      if (!r.abort.signal.aborted) r.abort.abort(new ShutdownError(reason));
    }
  }
}

/** `done` / `failed` from a handler's outcome; `finished` for handlers that return nothing. */
function outcomeOf(result: unknown): string {
  const status = (result as { status?: unknown } | null | undefined)?.status;
  return status === "done" || status === "failed" ? status : "finished";
}
