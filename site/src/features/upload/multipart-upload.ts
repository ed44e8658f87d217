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
  readonly retryable: boolean;
  constructor(
    readonly status: number,
    message: string,
    retryable?: boolean,
  ) {
    super(message);
    this.retryable =
      retryable ?? (status === 0 || status === 403 || status === 408 || status === 429 || status >= 500);
  }
}

/** A part that ran out of retries (or hit an error retrying cannot fix). */
export class PartUploadError extends Error {
  override readonly name = "PartUploadError";
  constructor(
    readonly partNumber: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
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
  constructor(private readonly now: () => number) {}

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

/** Upload every part not yet recorded. Resolves when all parts are recorded by the edge. */
export async function uploadParts(target: UploadTarget, options: UploadPartsOptions): Promise<void> {
  const {
    api,
    transport,
    concurrency = 4,
    maxRetries = 3,
    now = Date.now,
    sleep = abortableSleep,
    backoffMs = (retry: number) => backoffDelay(retry, PART_RETRY_BACKOFF),
  } = options;
  const { videoId, file, partSize, partCount } = target;
  const totalBytes = file.size;

  const done = new Set(target.doneParts ?? []);
  const parts = new Map<number, PartStatus>();
  let confirmedBytes = 0;
  for (let n = 1; n <= partCount; n++) {
    const { start, end } = partRange(n, partSize, totalBytes);
    const isDone = done.has(n);
    parts.set(n, {
      partNumber: n,
      size: end - start,
      state: isDone ? "done" : "pending",
      loaded: 0,
      attempt: 0,
      bytesPerSecond: 0,
      etaSec: null,
    });
    if (isDone) confirmedBytes += end - start;
  }
  let partsDone = done.size;

  const urls = new Map<number, { url: string; expiresAt: number }>();
  const rememberUrls = (list: PartUrlDto[], expiresAt: string | undefined) => {
    const expiry = expiresAt ? Date.parse(expiresAt) : Number.POSITIVE_INFINITY;
    for (const { partNumber, url } of list) urls.set(partNumber, { url, expiresAt: expiry });
  };
  rememberUrls(target.urls ?? [], target.urlsExpireAt);

  const queue = [...parts.values()].filter((p) => p.state !== "done").map((p) => p.partNumber);
  let nextIndex = 0;

  const failFast = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, failFast.signal]) : failFast.signal;

  const inFlight = new Map<number, number>();
  let inFlightBytes = 0;
  let sentBytes = 0;
  const meter = new SpeedMeter(now);

  const setInFlight = (n: number, loaded: number) => {
    inFlightBytes += loaded - (inFlight.get(n) ?? 0);
    if (loaded > 0) inFlight.set(n, loaded);
    else inFlight.delete(n);
  };
  const emitPart = (part: PartStatus) => options.onPart?.({ ...part });
  const emitProgress = () => {
    if (!options.onProgress) return;
    const uploadedBytes = Math.min(totalBytes, confirmedBytes + inFlightBytes);
    const bytesPerSecond = meter.bytesPerSecond();
    options.onProgress({
      totalBytes,
      uploadedBytes,
      bytesPerSecond,
      etaSec: bytesPerSecond > 0 ? (totalBytes - uploadedBytes) / bytesPerSecond : null,
      partsDone,
      partCount,
    });
  };

  const isFresh = (n: number) => {
    const entry = urls.get(n);
    return entry !== undefined && entry.expiresAt - URL_EXPIRY_MARGIN_MS > now();
  };
  const urlBatches = new Map<number, Promise<void>>();
  const urlFor = async (n: number): Promise<string> => {
    if (!isFresh(n)) {
      let batch = urlBatches.get(n);
      if (!batch) {
        const upcoming = queue.slice(nextIndex).filter((m) => m !== n && !isFresh(m) && !urlBatches.has(m));
        const wanted = [n, ...upcoming.slice(0, URL_BATCH_SIZE - 1)];
        batch = api
          .partUrls(videoId, wanted, signal)
          .then((res) => rememberUrls(res.parts, res.expiresAt))
          .finally(() => {
            for (const m of wanted) urlBatches.delete(m);
          });
        for (const m of wanted) urlBatches.set(m, batch);
      }
      await batch;
    }
    const entry = urls.get(n);
    if (!entry) throw new PartPutError(0, `the server returned no upload URL for part ${n}`, false);
    return entry.url;
  };

  const uploadPart = async (part: PartStatus): Promise<void> => {
    const n = part.partNumber;
    const { start, end } = partRange(n, partSize, totalBytes);
    const body = file.slice(start, end);
    let etag: string | null = null;

    for (let retry = 0; ; retry++) {
      part.state = "uploading";
      part.attempt = retry + 1;
      part.bytesPerSecond = 0;
      part.etaSec = null;
      delete part.error;
      emitPart(part);
      try {
        if (etag === null) {
          const url = await urlFor(n);
          let lastLoaded = 0;
          const partMeter = new SpeedMeter(now);
          partMeter.add(0);
          ({ etag } = await transport.put(
            url,
            body,
            (loaded) => {
              const bounded = Math.min(loaded, part.size);
              if (bounded > lastLoaded) {
                sentBytes += bounded - lastLoaded;
                meter.add(sentBytes);
              }
              lastLoaded = bounded;
              partMeter.add(bounded);
              part.bytesPerSecond = partMeter.bytesPerSecond();
              part.etaSec = part.bytesPerSecond > 0 ? (part.size - bounded) / part.bytesPerSecond : null;
              part.loaded = bounded;
              setInFlight(n, bounded);
              emitPart(part);
              emitProgress();
            },
            signal,
          ));
          part.loaded = part.size;
          part.etaSec = 0;
          setInFlight(n, part.size);
        }
        await api.recordPart(videoId, n, { etag, size: part.size }, signal);
        setInFlight(n, 0);
        confirmedBytes += part.size;
        partsDone++;
        part.state = "done";
        emitPart(part);
        emitProgress();
        return;
      } catch (err) {
        if (etag === null) {
          part.loaded = 0;
          setInFlight(n, 0);
        }
        if (signal.aborted) {
          part.state = "pending";
          emitPart(part);
          throw signal.reason;
        }
        const message = describe(err);
        part.error = message;
        if (!isRetryable(err) || retry >= maxRetries) {
          part.state = "failed";
          emitPart(part);
          emitProgress();
          throw new PartUploadError(n, `Part ${n} could not be uploaded: ${message}`, { cause: err });
        }
        if (err instanceof PartPutError && err.status === 403) urls.delete(n);
        part.state = "retrying";
        emitPart(part);
        emitProgress();
        await sleep(backoffMs(retry), signal);
      }
    }
  };

  const worker = async () => {
    while (nextIndex < queue.length) {
      if (signal.aborted) throw signal.reason;
      const part = parts.get(queue[nextIndex++]!)!;
      await uploadPart(part);
    }
  };

  emitProgress();
  const workers = Array.from({ length: Math.min(concurrency, queue.length) }, worker);
  try {
    await Promise.all(workers);
  } catch (err) {
    // One part gave up: stop the others rather than keep spending bandwidth.
    failFast.abort(err);
    await Promise.allSettled(workers);
    throw err;
  }
}
