/**
 * Sends a file's parts straight to object storage through presigned URLs: a bounded pool of
 * parallel PUTs, per-part retries with backoff (a fresh URL after a 403, which is how an
 * expired presigned URL answers), and each part's ETag reported to the edge — the edge's
 * record, not the browser, is the truth for resume and progress.
 *
 * The transport (XHR in the browser) and the API client are injected so the scheduling is
 * unit-tested without a browser or a server.
 */
import { type BackoffPolicy, backoffDelay } from "@streamline/contracts";
import { type ApiClient, ApiError, type PartUrlDto } from "../../lib/api.ts";

export type PartState = "pending" | "uploading" | "retrying" | "done" | "failed";

export interface PartStatus {
  partNumber: number;
  size: number;
  state: PartState;
  /** Bytes of this part sent in the current attempt (its full size once done). */
  loaded: number;
  /** 1-based attempt currently running or last run; 0 before the first. */
  attempt: number;
  /** This part's own throughput in the current attempt (0 until measurable). */
  bytesPerSecond: number;
  /** Seconds until this part is sent at its current speed; null when unknown. */
  etaSec: number | null;
  error?: string;
}

export interface UploadProgress {
  totalBytes: number;
  /** Recorded parts plus bytes in flight. */
  uploadedBytes: number;
  bytesPerSecond: number;
  etaSec: number | null;
  partsDone: number;
  partCount: number;
}

/** A presigned PUT that failed. `status` 0 means no HTTP answer (network error, CORS). */
export class PartPutError extends Error {
  override readonly name = "PartPutError";
  readonly status: number;
  readonly retryable: boolean;
  constructor(status: number, message: string, retryable?: boolean) {
    super(message);
    this.status = status;
    this.retryable =
      retryable ?? (status === 0 || status === 403 || status === 408 || status === 429 || status >= 500);
  }
}

/** A part that ran out of retries (or hit an error retrying cannot fix). */
export class PartUploadError extends Error {
  override readonly name = "PartUploadError";
  readonly partNumber: number;
  constructor(partNumber: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.partNumber = partNumber;
  }
}

export interface PartTransport {
  /** PUT `body` to `url` and resolve with the ETag storage answered (kept verbatim, never parsed). */
  put(
    url: string,
    body: Blob,
    onProgress: (loaded: number) => void,
    signal: AbortSignal,
  ): Promise<{ etag: string }>;
}

export interface UploadTarget {
  videoId: string;
  file: Blob;
  partSize: number;
  partCount: number;
  /** Parts the edge has already recorded (resume). */
  doneParts?: Iterable<number>;
  /** Presigned URLs already on hand (from the create call); the rest are fetched in batches. */
  urls?: PartUrlDto[];
  urlsExpireAt?: string;
}

export interface UploadPartsOptions {
  api: Pick<ApiClient, "partUrls" | "recordPart">;
  transport: PartTransport;
  concurrency?: number;
  /** Retries after the first attempt of a part. */
  maxRetries?: number;
  signal?: AbortSignal;
  onPart?: (part: Readonly<PartStatus>) => void;
  onProgress?: (progress: UploadProgress) => void;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  backoffMs?: (retry: number) => number;
}

/** Presigned URLs this close to expiry are refreshed before use. */
const URL_EXPIRY_MARGIN_MS = 30_000;
/** How many part URLs to ask for at once when more are needed. */
const URL_BATCH_SIZE = 50;
const SPEED_WINDOW_MS = 6_000;

/** Retry delays (ms): 1 s, 2 s, 4 s … (capped at 15 s) with ±25 % jitter so parallel retries spread out. */
export const PART_RETRY_BACKOFF: BackoffPolicy = { base: 1_000, cap: 15_000, jitter: [0.75, 1.25] };

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Byte range `[start, end)` of a 1-based part. */
export function partRange(
  partNumber: number,
  partSize: number,
  fileSize: number,
): { start: number; end: number } {
  const start = (partNumber - 1) * partSize;
  return { start, end: Math.min(start + partSize, fileSize) };
}

/** Upload throughput over a sliding window of (time, bytes sent) samples. */
class SpeedMeter {
  private samples: [number, number][] = [];
  private readonly now: () => number;
  constructor(now: () => number) {
    this.now = now;
  }

  add(totalSent: number): void {
    const t = this.now();
    this.samples.push([t, totalSent]);
    while (this.samples.length > 2 && t - this.samples[0]![0] > SPEED_WINDOW_MS) this.samples.shift();
  }

  bytesPerSecond(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last) return 0;
    const elapsed = last[0] - first[0];
    return elapsed >= 500 ? ((last[1] - first[1]) * 1000) / elapsed : 0;
  }
}

function describe(err: unknown): string {
  if (err instanceof PartPutError) {
    if (err.status === 0) return err.message || "network error";
    if (err.status === 403) return "upload URL expired or was rejected (HTTP 403)";
    return err.message || `storage answered HTTP ${err.status}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

function isRetryable(err: unknown): boolean {
  if (err instanceof PartPutError) return err.retryable;
  if (err instanceof ApiError) return err.retryable;
  return false;
}

/** One `uploadParts` call in progress: the parts, the URLs on hand, the queue and the counters. */
interface Run {
  readonly videoId: string;
  readonly file: Blob;
  readonly partSize: number;
  readonly partCount: number;
  readonly api: UploadPartsOptions["api"];
  readonly transport: PartTransport;
  readonly options: UploadPartsOptions;
  readonly maxRetries: number;
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly backoffMs: (retry: number) => number;
  readonly parts: Map<number, PartStatus>;
  readonly urls: Map<number, { url: string; expiresAt: number }>;
  /** One pending `partUrls` request per part number it covers. */
  readonly urlBatches: Map<number, Promise<void>>;
  /** Part numbers still to send, in order; `nextIndex` is the next one a worker takes. */
  readonly queue: number[];
  nextIndex: number;
  /** Aborted when one part gives up, so the others stop too. */
  readonly failFast: AbortController;
  readonly signal: AbortSignal;
  /** Bytes sent so far per part still in flight. */
  readonly inFlight: Map<number, number>;
  inFlightBytes: number;
  /** Every byte sent in any attempt (the speed meter's input). */
  sentBytes: number;
  readonly meter: SpeedMeter;
  confirmedBytes: number;
  partsDone: number;
}

/** Upload every part not yet recorded. Resolves when all parts are recorded by the edge. */
export async function uploadParts(target: UploadTarget, options: UploadPartsOptions): Promise<void> {
  const run = startRun(target, options);
  emitProgress(run);
  const workers = Array.from({ length: Math.min(options.concurrency ?? 4, run.queue.length) }, () =>
    worker(run),
  );
  try {
    await Promise.all(workers);
  } catch (err) {
    // One part gave up: stop the others rather than keep spending bandwidth.
    run.failFast.abort(err);
    await Promise.allSettled(workers);
    throw err;
  }
}

function startRun(target: UploadTarget, options: UploadPartsOptions): Run {
  const { videoId, file, partSize, partCount } = target;
  const now = options.now ?? Date.now;
  const done = new Set(target.doneParts ?? []);
  const parts = partStatuses(target, done);
  const failFast = new AbortController();
  const run: Run = {
    videoId,
    file,
    partSize,
    partCount,
    api: options.api,
    transport: options.transport,
    options,
    maxRetries: options.maxRetries ?? 3,
    now,
    sleep: options.sleep ?? abortableSleep,
    backoffMs: options.backoffMs ?? ((retry: number) => backoffDelay(retry, PART_RETRY_BACKOFF)),
    parts,
    urls: new Map(),
    urlBatches: new Map(),
    queue: [...parts.values()].filter((p) => p.state !== "done").map((p) => p.partNumber),
    nextIndex: 0,
    failFast,
    signal: options.signal ? AbortSignal.any([options.signal, failFast.signal]) : failFast.signal,
    inFlight: new Map(),
    inFlightBytes: 0,
    sentBytes: 0,
    meter: new SpeedMeter(now),
    confirmedBytes: 0,
    partsDone: done.size,
  };
  for (const part of parts.values()) if (part.state === "done") run.confirmedBytes += part.size;
  rememberUrls(run, target.urls ?? [], target.urlsExpireAt);
  return run;
}

function partStatuses(
  { partCount, partSize, file }: UploadTarget,
  done: ReadonlySet<number>,
): Map<number, PartStatus> {
  const parts = new Map<number, PartStatus>();
  for (let n = 1; n <= partCount; n++) {
    const { start, end } = partRange(n, partSize, file.size);
    parts.set(n, {
      partNumber: n,
      size: end - start,
      state: done.has(n) ? "done" : "pending",
      loaded: 0,
      attempt: 0,
      bytesPerSecond: 0,
      etaSec: null,
    });
  }
  return parts;
}

async function worker(run: Run) {
  while (run.nextIndex < run.queue.length) {
    if (run.signal.aborted) throw run.signal.reason;
    const part = run.parts.get(run.queue[run.nextIndex++]!)!;
    await uploadPart(run, part);
  }
}

// ---- progress -----------------------------------------------------------------------------

function setInFlight(run: Run, n: number, loaded: number) {
  run.inFlightBytes += loaded - (run.inFlight.get(n) ?? 0);
  if (loaded > 0) run.inFlight.set(n, loaded);
  else run.inFlight.delete(n);
}

function emitPart(run: Run, part: PartStatus) {
  run.options.onPart?.({ ...part });
}

function emitProgress(run: Run) {
  const { onProgress } = run.options;
  if (!onProgress) return;
  const totalBytes = run.file.size;
  const uploadedBytes = Math.min(totalBytes, run.confirmedBytes + run.inFlightBytes);
  const bytesPerSecond = run.meter.bytesPerSecond();
  onProgress({
    totalBytes,
    uploadedBytes,
    bytesPerSecond,
    etaSec: bytesPerSecond > 0 ? (totalBytes - uploadedBytes) / bytesPerSecond : null,
    partsDone: run.partsDone,
    partCount: run.partCount,
  });
}

// ---- presigned URLs -----------------------------------------------------------------------

function rememberUrls(run: Run, list: PartUrlDto[], expiresAt: string | undefined) {
  const expiry = expiresAt ? Date.parse(expiresAt) : Number.POSITIVE_INFINITY;
  for (const { partNumber, url } of list) run.urls.set(partNumber, { url, expiresAt: expiry });
}

function isFresh(run: Run, n: number) {
  const entry = run.urls.get(n);
  return entry !== undefined && entry.expiresAt - URL_EXPIRY_MARGIN_MS > run.now();
}

async function urlFor(run: Run, n: number): Promise<string> {
  if (!isFresh(run, n)) await (run.urlBatches.get(n) ?? requestUrls(run, n));
  const entry = run.urls.get(n);
  if (!entry) throw new PartPutError(0, `the server returned no upload URL for part ${n}`, false);
  return entry.url;
}

/** Asks for part `n`'s URL together with the next queued parts that will need one. */
function requestUrls(run: Run, n: number): Promise<void> {
  const upcoming = run.queue
    .slice(run.nextIndex)
    .filter((m) => m !== n && !isFresh(run, m) && !run.urlBatches.has(m));
  const wanted = [n, ...upcoming.slice(0, URL_BATCH_SIZE - 1)];
  const batch = run.api
    .partUrls(run.videoId, wanted, run.signal)
    .then((res) => rememberUrls(run, res.parts, res.expiresAt))
    .finally(() => {
      for (const m of wanted) run.urlBatches.delete(m);
    });
  for (const m of wanted) run.urlBatches.set(m, batch);
  return batch;
}

// ---- one part -----------------------------------------------------------------------------

async function uploadPart(run: Run, part: PartStatus): Promise<void> {
  const n = part.partNumber;
  const { start, end } = partRange(n, run.partSize, run.file.size);
  const body = run.file.slice(start, end);
  let etag: string | null = null;
  for (let retry = 0; ; retry++) {
    beginAttempt(run, part, retry);
    try {
      // A part storage already took (its ETag is known) is only recorded again, not re-sent.
      etag ??= await sendPart(run, part, body);
      await run.api.recordPart(run.videoId, n, { etag, size: part.size }, run.signal);
      partRecorded(run, part);
      return;
    } catch (err) {
      if (etag === null) {
        part.loaded = 0;
        setInFlight(run, n, 0);
      }
      await attemptFailed(run, part, err, retry);
    }
  }
}

function beginAttempt(run: Run, part: PartStatus, retry: number) {
  part.state = "uploading";
  part.attempt = retry + 1;
  part.bytesPerSecond = 0;
  part.etaSec = null;
  delete part.error;
  emitPart(run, part);
}

async function sendPart(run: Run, part: PartStatus, body: Blob): Promise<string> {
  const url = await urlFor(run, part.partNumber);
  const { etag } = await run.transport.put(url, body, partProgress(run, part), run.signal);
  part.loaded = part.size;
  part.etaSec = 0;
  setInFlight(run, part.partNumber, part.size);
  return etag;
}

/** The transport's progress callback for one attempt at `part`. */
function partProgress(run: Run, part: PartStatus): (loaded: number) => void {
  let lastLoaded = 0;
  const partMeter = new SpeedMeter(run.now);
  partMeter.add(0);
  return (loaded) => {
    const bounded = Math.min(loaded, part.size);
    if (bounded > lastLoaded) {
      run.sentBytes += bounded - lastLoaded;
      run.meter.add(run.sentBytes);
    }
    lastLoaded = bounded;
    partMeter.add(bounded);
    part.bytesPerSecond = partMeter.bytesPerSecond();
    part.etaSec = part.bytesPerSecond > 0 ? (part.size - bounded) / part.bytesPerSecond : null;
    part.loaded = bounded;
    setInFlight(run, part.partNumber, bounded);
    emitPart(run, part);
    emitProgress(run);
  };
}

function partRecorded(run: Run, part: PartStatus) {
  setInFlight(run, part.partNumber, 0);
  run.confirmedBytes += part.size;
  run.partsDone++;
  part.state = "done";
  emitPart(run, part);
  emitProgress(run);
}

/** Throws when the part is cancelled or out of retries; otherwise waits out the backoff. */
async function attemptFailed(run: Run, part: PartStatus, err: unknown, retry: number) {
  const n = part.partNumber;
  if (run.signal.aborted) {
    part.state = "pending";
    emitPart(run, part);
    throw run.signal.reason;
  }
  const message = describe(err);
  part.error = message;
  if (!isRetryable(err) || retry >= run.maxRetries) {
    part.state = "failed";
    emitPart(run, part);
    emitProgress(run);
    throw new PartUploadError(n, `Part ${n} could not be uploaded: ${message}`, { cause: err });
  }
  if (err instanceof PartPutError && err.status === 403) run.urls.delete(n);
  part.state = "retrying";
  emitPart(run, part);
  emitProgress(run);
  await run.sleep(run.backoffMs(retry), run.signal);
}
