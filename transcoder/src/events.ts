/**
 * Event reporter: POSTs signed `TranscoderEvent`s (contracts/events.ts) for one job
 * attempt to `${EDGE_URL}/internal/transcoder/events`, signed fleet→edge over method,
 * path, body and time (contracts/service-signature.ts, ADR 0010).
 *
 * - One queue per attempt, sent strictly in order, `seq` monotonic (the edge drops
 *   anything at or below the last seq it applied).
 * - Progress is throttled (~1/s) and coalesced while the edge is slow.
 * - Network errors, 408/429 and 5xx are retried with backoff (250 ms doubling, capped at
 *   5 s) for a time budget, not a count: an edge that restarts (a deploy, wrangler dev
 *   stopped and started) gets its events once it is back. Ordinary events are retried for
 *   `retryForMs` (60 s, the default job lease: past it the edge has moved on anyway), a
 *   result (done/failed/poster/download) for `terminalRetryForMs` (15 min): losing it
 *   would throw the whole transcode away. Other 4xx are dropped with a log line. Nothing
 *   here ever throws into the job.
 */
import { setTimeout as delay } from "node:timers/promises";
import {
  backoffDelay,
  type FailureCode,
  type Job,
  type PosterSizeKey,
  type ProbeResult,
  REQUEST_ID_HEADER,
  type Rendition,
  SIGNATURE_HEADER,
  sanitizeFailureDetail,
  signedPath,
  signRequest,
  TranscoderEvent,
  type Trickplay,
} from "@streamline/contracts";
import { errorMessage, log } from "./log.ts";

export const EVENTS_PATH = "/internal/transcoder/events";

export type ProgressStage = "download" | "probe" | "encode" | "upload" | "thumbnails";

export interface ProgressUpdate {
  stage: ProgressStage;
  percent: number;
  fps?: number | undefined;
  speed?: number | undefined;
  etaSec?: number | undefined;
  rendition?: string | undefined;
}

export interface DonePayload {
  probe: ProbeResult;
  renditions: Rendition[];
  masterKey: string;
  posterKey: string | null;
  /** The poster at several widths (ADR 0033); empty or absent when they were not made. */
  posterSizes?: PosterSizeKey[] | undefined;
  trickplay?: Trickplay | undefined;
  audioOnly?: boolean | undefined;
}

/** A poster job's result: the JPEG, its full-size WebP and the WebP widths. */
export interface PosterPayload {
  posterKey: string;
  posterWebpKey: string | null;
  posterSizes?: PosterSizeKey[] | undefined;
}

/** What the job handlers need from a reporter (tests may pass a recording fake). */
export interface JobReporter {
  heartbeat(): void;
  probed(probe: ProbeResult): void;
  progress(update: ProgressUpdate): void;
  rendition(rendition: Rendition, masterKey: string): void;
  done(payload: DonePayload): void;
  /** `reason`: the owner's detail (sanitized again before it is sent); `code`: what viewers are told. */
  failed(reason: string, retryable: boolean, code?: FailureCode): void;
  /** Resolves when everything queued so far was delivered or given up on (bounded by `timeoutMs`). */
  flush(timeoutMs?: number): Promise<void>;
}

/** A poster job's reporter: the job reporter plus the poster result. */
export interface PosterReporter extends JobReporter {
  poster(payload: PosterPayload): void;
}

export interface HttpReporterOptions {
  edgeUrl: string;
  secret: string;
  job: Pick<
    Exclude<Job, { type: "channel-image" }>,
    "videoId" | "jobId" | "attempt" | "attemptId" | "requestId"
  >;
  node: string;
  /** Minimum gap between progress events (default 1000 ms). */
  progressIntervalMs?: number;
  /** How long an ordinary event is retried (default 60 s) and a result event (default 15 min). */
  retryForMs?: number;
  terminalRetryForMs?: number;
  /** Optional caps on delivery attempts per event (default: only the time budget applies). */
  attempts?: number;
  terminalAttempts?: number;
  /** Base backoff (default 250 ms, doubling, capped at 5 s). */
  backoffMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
  /**
   * Called once when the edge answers 409/410: this attempt was superseded or the video
   * deleted, so the job should stop wasting CPU.
   */
  onStale?: (status: number) => void;
}

type EventBody = Record<string, unknown> & { type: TranscoderEvent["type"] };

interface Queued {
  body: EventBody;
  seq: number;
  terminal: boolean;
}

export class HttpEventReporter implements PosterReporter {
  private readonly opts: Required<Omit<HttpReporterOptions, "fetch" | "onStale">> & {
    fetch: typeof fetch;
    onStale: ((status: number) => void) | undefined;
  };
  private staleReported = false;
  private readonly url: string;
  private seq = 0;
  private queue: Queued[] = [];
  private draining: Promise<void> | null = null;
  private lastProgressAt = Number.NEGATIVE_INFINITY;
  private lastStage: ProgressStage | null = null;

  constructor(opts: HttpReporterOptions) {
    this.opts = {
      progressIntervalMs: 1000,
      retryForMs: 60_000,
      terminalRetryForMs: 15 * 60_000,
      attempts: Number.POSITIVE_INFINITY,
      terminalAttempts: Number.POSITIVE_INFINITY,
      backoffMs: 250,
      now: Date.now,
      fetch: globalThis.fetch,
      onStale: undefined,
      ...opts,
    };
    this.url = `${opts.edgeUrl.replace(/\/+$/, "")}${EVENTS_PATH}`;
  }

  heartbeat(): void {
    // One waiting heartbeat says everything; an unreachable edge must not grow the queue.
    if (this.queue.slice(1).some((q) => q.body.type === "heartbeat")) return;
    this.enqueue({ type: "heartbeat", node: this.opts.node });
  }

  probed(probe: ProbeResult): void {
    this.enqueue({ type: "probed", probe });
  }

  progress(update: ProgressUpdate): void {
    const now = this.opts.now();
    const stageChanged = update.stage !== this.lastStage;
    if (!stageChanged && now - this.lastProgressAt < this.opts.progressIntervalMs) return;
    this.lastProgressAt = now;
    this.lastStage = update.stage;
    const body: EventBody = {
      type: "progress",
      stage: update.stage,
      percent: Math.round(Math.min(100, Math.max(0, update.percent)) * 10) / 10,
    };
    if (update.fps !== undefined && update.fps >= 0) body.fps = update.fps;
    if (update.speed !== undefined && update.speed >= 0) body.speed = update.speed;
    if (update.etaSec !== undefined && update.etaSec >= 0) body.etaSec = Math.round(update.etaSec);
    if (update.rendition) body.rendition = update.rendition;
    // The edge is slow: replace a not-yet-sent progress at the tail instead of piling up.
    const tail = this.queue.at(-1);
    if (tail && tail.body.type === "progress" && this.queue.length > 1) {
      tail.body = body;
      tail.seq = ++this.seq;
      return;
    }
    this.enqueue(body);
  }

  rendition(rendition: Rendition, masterKey: string): void {
    this.enqueue({ type: "rendition", rendition, masterKey });
  }

  done(payload: DonePayload): void {
    const { trickplay, audioOnly, posterSizes, ...rest } = payload;
    this.enqueue(
      {
        type: "done",
        ...rest,
        ...(posterSizes?.length ? { posterSizes } : {}),
        ...(trickplay ? { trickplay } : {}),
        ...(audioOnly !== undefined ? { audioOnly } : {}),
      },
      true,
    );
  }

  poster(payload: PosterPayload): void {
    const { posterSizes, ...rest } = payload;
    this.enqueue({ type: "poster", ...rest, ...(posterSizes?.length ? { posterSizes } : {}) }, true);
  }

  /** A download job's result (handle-download-job.ts). */
  download(payload: { rung: string; key: string; sizeBytes: number; durationSec: number }): void {
    this.enqueue({ type: "download", ...payload }, true);
  }

  failed(reason: string, retryable: boolean, code?: FailureCode): void {
    // Raw tool output stays in this node's log; the edge gets a detail fit for the owner.
    const detail = sanitizeFailureDetail(reason);
    this.enqueue(
      { type: "failed", reason: detail || "unknown failure", retryable, ...(code ? { code } : {}) },
      true,
    );
  }

  async flush(timeoutMs = 60_000): Promise<void> {
    if (!this.draining) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.draining,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
  }

  private enqueue(body: EventBody, terminal = false): void {
    this.queue.push({ body, seq: ++this.seq, terminal });
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
  }

  private async drain(): Promise<void> {
    // The first item stays in the queue while in flight so progress coalescing never touches it.
    for (let item = this.queue[0]; item; item = this.queue[0]) {
      await this.deliver(item);
      this.queue.shift();
    }
  }

  private build(item: Queued): string | null {
    const { job } = this.opts;
    const event = {
      v: 1,
      videoId: job.videoId,
      jobId: job.jobId,
      attempt: job.attempt,
      attemptId: job.attemptId,
      seq: item.seq,
      at: new Date(this.opts.now()).toISOString(),
      // Back to the edge, which logs the event with it (ADR 0028).
      ...(job.requestId ? { requestId: job.requestId } : {}),
      ...item.body,
    };
    // Validate before signing: a bug here must show up in our logs, not as a 400 at the edge.
    const parsed = TranscoderEvent.safeParse(event);
    if (!parsed.success) {
      log.error("dropping invalid transcoder event", { type: item.body.type, issues: parsed.error.issues });
      return null;
    }
    return JSON.stringify(parsed.data);
  }

  private async deliver(item: Queued): Promise<void> {
    const body = this.build(item);
    if (body === null) return;
    const attempts = item.terminal ? this.opts.terminalAttempts : this.opts.attempts;
    // Real time, not `now` (the event clock a test may freeze).
    const giveUpAt = Date.now() + (item.terminal ? this.opts.terminalRetryForMs : this.opts.retryForMs);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.post(item, body);
      if (outcome === "delivered" || outcome === "rejected") return;
      const pause = backoffDelay(attempt - 1, { base: this.opts.backoffMs, cap: 5000 });
      if (attempt >= attempts || Date.now() + pause > giveUpAt) {
        log.warn("giving up on transcoder event", {
          type: item.body.type,
          seq: item.seq,
          attempts: attempt,
          problem: outcome.problem,
        });
        return;
      }
      if (attempt === 1)
        log.warn("edge unreachable, retrying transcoder event", {
          type: item.body.type,
          seq: item.seq,
          problem: outcome.problem,
        });
      await delay(pause);
    }
  }

  /** One POST: delivered, rejected for good (4xx other than 408/429), or a problem worth retrying. */
  private async post(item: Queued, body: string): Promise<"delivered" | "rejected" | { problem: string }> {
    try {
      const res = await this.opts.fetch(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(this.opts.job.requestId ? { [REQUEST_ID_HEADER]: this.opts.job.requestId } : {}),
          [SIGNATURE_HEADER]: await signRequest(this.opts.secret, "fleet-to-edge", {
            method: "POST",
            path: signedPath(this.url),
            body,
          }),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.body?.cancel();
      if (res.ok) return "delivered";
      if (res.status >= 500 || res.status === 408 || res.status === 429)
        return { problem: `HTTP ${res.status}` };
      log.warn("edge rejected transcoder event", { type: item.body.type, seq: item.seq, status: res.status });
      if ((res.status === 409 || res.status === 410) && !this.staleReported) {
        this.staleReported = true;
        this.opts.onStale?.(res.status);
      }
      return "rejected";
    } catch (err) {
      return { problem: errorMessage(err) };
    }
  }
}
