/**
 * The edge's one HTTP client for the transcoder fleet (`TRANSCODER_URL`): job dispatch,
 * cancel, the node registry and the health probe. Every call but the probe is signed
 * edge→fleet (method, path, body, time; contracts/service-signature.ts, ADR 0010) with
 * the key derived from `TRANSCODER_SECRET`; each call has its own timeout.
 */
import {
  type Job,
  REQUEST_ID_HEADER,
  SIGNATURE_HEADER,
  signedPath,
  signRequest,
  TranscoderHealth,
} from "@streamline/contracts";
import type { Config } from "../config.ts";

export type TranscoderConfig = Pick<Config, "TRANSCODER_URL" | "TRANSCODER_SECRET">;

/** What the fleet said to a dispatch; `errorCode` is its `{ error: { code } }`, if any. */
export interface DispatchAnswer {
  status: number;
  retryAfterSeconds: number | undefined;
  errorCode: string | undefined;
}

export class TranscoderClient {
  private readonly config: TranscoderConfig;
  private readonly fetcher: typeof fetch;

  /** `fetcher` defaults to the global fetch (called unbound: workerd refuses `this.fetch`). */
  constructor(config: TranscoderConfig, fetcher: typeof fetch = (input, init) => fetch(input, init)) {
    this.config = config;
    this.fetcher = fetcher;
  }

  private url(path: string) {
    return `${this.config.TRANSCODER_URL.replace(/\/$/, "")}${path}`;
  }

  private signature(method: string, url: string, body: string) {
    return signRequest(this.config.TRANSCODER_SECRET, "edge-to-fleet", {
      method,
      path: signedPath(url),
      body,
    });
  }

  private async signedPost(path: string, payload: unknown, timeoutMs: number, requestId?: string) {
    const body = JSON.stringify(payload);
    const url = this.url(path);
    return this.fetcher(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [SIGNATURE_HEADER]: await this.signature("POST", url, body),
        // Correlation only (ADR 0028): not signed, so the fleet validates it and uses it for logs.
        ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  }

  /**
   * POST /jobs with the job's request id as `x-request-id` (the fleet logs every line of the
   * job with it and echoes it in its events). Throws when the fleet is unreachable (the caller retries).
   */
  async dispatch(job: Job): Promise<DispatchAnswer> {
    const res = await this.signedPost("/jobs", job, 10_000, job.requestId);
    const text = await res.text().catch(() => "");
    const retryAfter = Number(res.headers.get("retry-after"));
    return {
      status: res.status,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      errorCode: errorCode(text),
    };
  }

  /** Asks the node running `jobId` to stop (its video was deleted). Resolves to the status. */
  async cancel(job: { jobId: string; videoId: string; reason: string }): Promise<number> {
    const res = await this.signedPost(`/jobs/${encodeURIComponent(job.jobId)}/cancel`, job, 5000);
    await res.text().catch(() => "");
    return res.status;
  }

  /** The fleet's node registry (GET /fleet), as the fleet reports it. */
  async fleet(): Promise<unknown> {
    const url = this.url("/fleet");
    const res = await this.fetcher(url, {
      headers: { [SIGNATURE_HEADER]: await this.signature("GET", url, "") },
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`fleet answered ${res.status}`);
    return res.json();
  }

  /** GET /healthz: "running/capacity jobs" of the node that answered. */
  async health(timeoutMs = 2000): Promise<string> {
    const res = await this.fetcher(this.url("/healthz"), { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`healthz answered ${res.status}`);
    const body = TranscoderHealth.parse(await res.json());
    return `${body.running}/${body.capacity} jobs${body.draining ? " (draining)" : ""}`;
  }
}

function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}
