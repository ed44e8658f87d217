/**
 * A channel-image job's one terminal event (contracts `ChannelImageEvent`), POSTed to the
 * edge's event intake signed fleet→edge like every transcoder event (ADR 0010). Retried
 * with backoff on network errors, 408/429 and 5xx; other answers end it. Never throws.
 */
import { setTimeout as delay } from "node:timers/promises";
import {
  backoffDelay,
  ChannelImageEvent,
  type ChannelImageJobV1,
  SIGNATURE_HEADER,
  sanitizeFailureDetail,
  signedPath,
  signRequest,
} from "@streamline/contracts";
import { EVENTS_PATH } from "./events.ts";
import { errorMessage, log } from "./log.ts";

export interface ChannelImageReporterOptions {
  edgeUrl: string;
  secret: string;
  attempts?: number;
  backoffMs?: number;
  fetch?: typeof fetch;
}

export type ChannelImageResult = { keyPrefix: string } | { reason: string };

/** What the job handler calls once with its result. */
export type ReportChannelImage = (result: ChannelImageResult) => Promise<void>;

export function channelImageReporter(
  opts: ChannelImageReporterOptions,
  job: Pick<ChannelImageJobV1, "userId" | "kind" | "jobId" | "attemptId" | "requestId">,
): ReportChannelImage {
  const url = `${opts.edgeUrl.replace(/\/+$/, "")}${EVENTS_PATH}`;
  return async (result) => {
    const base = {
      v: 1,
      userId: job.userId,
      kind: job.kind,
      jobId: job.jobId,
      attemptId: job.attemptId,
      ...(job.requestId ? { requestId: job.requestId } : {}),
    };
    const event = {
      ...base,
      at: new Date().toISOString(),
      ...("keyPrefix" in result
        ? { type: "channel-image", keyPrefix: result.keyPrefix }
        : {
            type: "channel-image-failed",
            reason: sanitizeFailureDetail(result.reason) || "unknown failure",
          }),
    };
    const parsed = ChannelImageEvent.safeParse(event);
    if (!parsed.success) {
      log.error("dropping invalid channel-image event", { issues: parsed.error.issues });
      return;
    }
    await deliver(url, JSON.stringify(parsed.data), opts);
  };
}

async function deliver(url: string, body: string, opts: ChannelImageReporterOptions): Promise<void> {
  const attempts = opts.attempts ?? 10;
  const doFetch = opts.fetch ?? globalThis.fetch;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let problem: string;
    try {
      const signature = await signRequest(opts.secret, "fleet-to-edge", {
        method: "POST",
        path: signedPath(url),
        body,
      });
      const res = await doFetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.body?.cancel();
      if (res.ok) return;
      problem = `HTTP ${res.status}`;
      if (res.status < 500 && res.status !== 408 && res.status !== 429) {
        log.warn("edge rejected channel-image event", { status: res.status });
        return;
      }
    } catch (err) {
      problem = errorMessage(err);
    }
    if (attempt < attempts)
      await delay(backoffDelay(attempt - 1, { base: opts.backoffMs ?? 250, cap: 5000 }));
    else log.warn("giving up on channel-image event", { problem });
  }
}
