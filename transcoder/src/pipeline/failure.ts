/**
 * How a job attempt's error becomes the reason the edge shows and the retry decision:
 * bad input (not a video, source gone) is final; the machine's trouble (disk, signals,
 * network, a cancelled run) is worth another attempt.
 */

import { NotAVideoError } from "../ffmpeg/probe.ts";
import { FfmpegError } from "../ffmpeg/run.ts";
import { errorMessage } from "../log.ts";
import { InsufficientDiskError } from "../resources.ts";
import { SourceMissingError } from "../storage.ts";

/** Failure with its classification already decided. */
export class JobFailure extends Error {
  override name = "JobFailure";
  readonly retryable: boolean;
  constructor(reason: string, retryable: boolean) {
    super(reason);
    this.retryable = retryable;
  }
}

/** Readable failure text from an ffmpeg error: first line + a trimmed stderr tail. */
export function describeFfmpegFailure(what: string, err: FfmpegError): string {
  const tail = err.stderrTail
    .split("\n")
    .map((l) => l.trim())
    // SVT-AV1 prints its banner on stderr whatever the log level: not a reason.
    .filter((l) => l && !l.startsWith("Svt["))
    .slice(-8)
    .join(" | ");
  const head = err.message.split("\n")[0] ?? "ffmpeg failed";
  return tail ? `${what}: ${head}: ${tail}`.slice(0, 1500) : `${what}: ${head}`;
}

const TRANSIENT_FFMPEG =
  /No space left on device|Cannot allocate memory|Resource temporarily unavailable|failed to map segment|Connection (reset|refused|timed out)|Server returned 5\d\d/i;

/** `signal` is the caller's (cancel, shutdown), not the job's internal one. */
export function classifyFailure(err: unknown, signal: AbortSignal | undefined): JobFailure {
  if (err instanceof JobFailure) return err;
  if (err instanceof NotAVideoError) return new JobFailure(err.reason, false);
  if (err instanceof SourceMissingError) return new JobFailure(err.message, false);
  if (err instanceof InsufficientDiskError) return new JobFailure(err.message, true);
  if (signal?.aborted) {
    const why = signal.reason instanceof Error ? signal.reason.message : "job cancelled";
    return new JobFailure(why, true);
  }
  if (err instanceof FfmpegError) {
    const reason = describeFfmpegFailure("transcoding failed", err);
    // Signals (OOM killer), resource exhaustion and network trouble are the machine's
    // fault; an ffmpeg error exit on this input will happen again on any node.
    const transient = err.kind === "signal" || err.kind === "spawn" || TRANSIENT_FFMPEG.test(err.stderrTail);
    return new JobFailure(reason, transient);
  }
  return new JobFailure(`transcoder error: ${errorMessage(err)}`, true);
}
