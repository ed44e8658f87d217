/**
 * One transcode job attempt's shared state (`JobRun`): the job, its injected
 * dependencies, the abort signal every phase obeys, the background tasks that must settle
 * before the temp dir goes, and the first error (the root cause the edge is told).
 * `SourceCopy` is the downloaded source: fetched once, when a phase first needs it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { TranscodeJobV1 } from "@streamline/contracts";
import type { JobReporter } from "../events.ts";
import { type FfmpegBinaries, supportsFpsMode } from "../ffmpeg/locate.ts";
import type { ProgressWatch } from "../ffmpeg/run.ts";
import type { ExtraCodec } from "../ladder.ts";
import { errorMessage, log } from "../log.ts";
import {
  BACKGROUND_NICE_STEP,
  DEFAULT_CAPS,
  DEFAULT_LIMITS,
  type MediaCaps,
  type ResourceLimits,
} from "../resources.ts";
import type { ObjectStorage } from "../storage.ts";

export interface EncoderSettings {
  /** x264 preset for every H.264 rung (phase 1 included). */
  preset: string;
  /** Extra ladders (HEVC / AV1) encoded after the H.264 ladder. */
  extraCodecs?: readonly ExtraCodec[] | undefined;
}

export interface HandleJobDeps {
  storage: ObjectStorage;
  reporter: JobReporter;
  ffmpeg: FfmpegBinaries;
  workDir: string;
  encoder: EncoderSettings;
  heartbeatMs: number;
  /** Called on every heartbeat tick (claim extension). */
  onHeartbeat?: () => void | Promise<void>;
  signal?: AbortSignal;
  /**
   * Wall-clock ceiling for any one ffmpeg run. Encodes are also held to their real
   * progress (`limits.stallTimeoutMs`, `timeoutFactor` × the seconds produced).
   */
  timeoutMs?: number | undefined;
  limits?: ResourceLimits;
  /** Pixel, frame-rate and duration caps (defaults: DEFAULT_CAPS). */
  caps?: Partial<MediaCaps> | undefined;
  uploadConcurrency?: number;
  /** Segments of the low rung (and audio) stored before the first master goes up (default 2). */
  firstPublishSegments?: number;
  /** How often phase 1's output folder is checked for new segments (default 250 ms). */
  publishPollMs?: number;
  /**
   * Read the source over a presigned URL while it downloads (default: when the storage
   * can presign). Off: wait for the whole download first.
   */
  streamSource?: boolean;
}

/** What a background task's failure means: the job fails, or it was optional all along. */
export type OnTaskError = "fails-job" | "optional";

export class JobRun {
  readonly job: TranscodeJobV1;
  readonly deps: HandleJobDeps;
  readonly storage: ObjectStorage;
  readonly reporter: JobReporter;
  /** Log context of every line about this attempt. */
  readonly ids: { videoId: string; jobId: string; attemptId: string };
  /** Aborts on the caller's signal, or when any phase fails (one failing phase stops the others). */
  readonly signal: AbortSignal;
  readonly limits: ResourceLimits;
  readonly caps: MediaCaps;
  /** ffmpeg ≥ 5.1 takes `-fps_mode`. */
  readonly fpsMode: boolean;
  private readonly internal = new AbortController();
  /** Everything running in the background; settled before the temp dir goes. */
  private readonly tasks: Promise<unknown>[] = [];
  private firstError: unknown = null;
  private dir: string | undefined;

  constructor(job: TranscodeJobV1, deps: HandleJobDeps) {
    this.job = job;
    this.deps = deps;
    this.storage = deps.storage;
    this.reporter = deps.reporter;
    this.ids = { videoId: job.videoId, jobId: job.jobId, attemptId: job.attemptId };
    this.signal = deps.signal ? AbortSignal.any([deps.signal, this.internal.signal]) : this.internal.signal;
    this.limits = { ...deps.limits };
    this.caps = { ...DEFAULT_CAPS, ...definedOnly(deps.caps ?? {}) };
    this.fpsMode = supportsFpsMode(deps.ffmpeg.version);
  }

  /** The attempt's own temp dir under `deps.workDir` (removed by `close`). */
  async openWorkDir(): Promise<string> {
    this.dir = await mkdtemp(join(this.deps.workDir, "streamline-job-"));
    return this.dir;
  }

  get workDir(): string {
    if (!this.dir) throw new Error("the job's work dir is not open yet");
    return this.dir;
  }

  /** Heartbeat now and every `heartbeatMs` (with the claim-extension hook); returns the stop. */
  startHeartbeat(): () => void {
    const timer = setInterval(() => {
      this.reporter.heartbeat();
      Promise.resolve(this.deps.onHeartbeat?.()).catch((err: unknown) => {
        log.warn("heartbeat hook failed", { ...this.ids, error: errorMessage(err) });
      });
    }, this.deps.heartbeatMs);
    timer.unref();
    this.reporter.heartbeat();
    return () => clearInterval(timer);
  }

  /** Records the first error and stops every other phase. */
  fail(err: unknown): void {
    this.firstError ??= err;
    if (!this.internal.signal.aborted) this.internal.abort(err);
  }

  /** The root cause: the first phase's error, not the cancellations it triggered. */
  rootCause(err: unknown): unknown {
    return this.firstError ?? err;
  }

  /** Keeps `task` awaited by `close`; a "fails-job" task's error fails the whole job. */
  inBackground<T>(task: Promise<T>, onError: OnTaskError): Promise<T> {
    task.catch(onError === "fails-job" ? (err: unknown) => this.fail(err) : () => {});
    this.tasks.push(task);
    return task;
  }

  /** ffmpeg resource limits: the first rung at the base niceness, later ladders nicer. */
  runLimits(priority: "foreground" | "background", memoryFactor = 1) {
    const base = this.limits.nice ?? DEFAULT_LIMITS.nice;
    const nice =
      priority === "foreground" ? base : base + (this.limits.backgroundNiceStep ?? BACKGROUND_NICE_STEP);
    return {
      nice,
      memoryBytes: this.limits.memoryBytes ? this.limits.memoryBytes * memoryFactor : undefined,
    };
  }

  /** An encode's progress-based limits: stalled output, or slower than `timeoutFactor` × real time. */
  encodeWatch(): ProgressWatch {
    return {
      stallMs: this.limits.stallTimeoutMs ?? DEFAULT_LIMITS.stallTimeoutMs,
      minMs: this.limits.minTimeoutMs ?? DEFAULT_LIMITS.minTimeoutMs,
      factor: this.limits.timeoutFactor ?? DEFAULT_LIMITS.timeoutFactor,
    };
  }

  /** Every ffmpeg and upload stops before its files are removed; then the last events go out. */
  async close(): Promise<void> {
    if (!this.internal.signal.aborted) this.internal.abort(new Error("job finished"));
    await Promise.allSettled(this.tasks);
    if (this.dir) await rm(this.dir, { recursive: true, force: true }).catch(() => {});
    await this.reporter.flush();
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The source on local disk, for the later phases and the poster. Download progress is
 * reported only until the probe is done (after that the encode owns the percent).
 */
export class SourceCopy {
  readonly file: string;
  private readonly run: JobRun;
  private readonly expectedBytes: number;
  private downloading: Promise<unknown> | null = null;
  private probed = false;

  constructor(run: JobRun, file: string, expectedBytes: number) {
    this.run = run;
    this.file = file;
    this.expectedBytes = expectedBytes;
  }

  /** Starts the download the first time; every call returns the same promise. */
  fetch(): Promise<unknown> {
    if (this.downloading) return this.downloading;
    const { run } = this;
    if (!this.probed) run.reporter.progress({ stage: "download", percent: 0 });
    this.downloading = run.inBackground(
      run.storage.download(run.job.source.key, this.file, {
        signal: run.signal,
        onProgress: (received, total) => {
          const size = total ?? this.expectedBytes;
          if (!this.probed && size > 0)
            run.reporter.progress({ stage: "download", percent: 10 * (received / size) });
        },
      }),
      "optional",
    );
    return this.downloading;
  }

  /** The probe is done: the download goes on quietly. */
  markProbed(): void {
    this.probed = true;
  }
}
