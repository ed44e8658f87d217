/**
 * How a job attempt's error becomes what the edge is told: a code from the failure
 * vocabulary (contracts/failures.ts: all a viewer sees), a detail for the owner (one
 * sanitized line, never raw stderr: that stays in this node's log) and the retry
 * decision: bad input (not a video, source gone, over a cap) is final; the machine's
 * trouble (disk, signals, network, a cancelled run) is worth another attempt.
 */

import { type FailureCode, sanitizeFailureDetail } from "@streamline/contracts";
import { NotAVideoError } from "../ffmpeg/probe.ts";
import { FfmpegError } from "../ffmpeg/run.ts";
import { errorMessage } from "../log.ts";
import { InsufficientDiskError } from "../resources.ts";
import { SourceMissingError } from "../storage.ts";

/** Failure with its classification already decided; `message` is the owner's detail. */
export class JobFailure extends Error {
  override name = "JobFailure";
  readonly retryable: boolean;
  readonly code: FailureCode;
  constructor(reason: string, retryable: boolean, code: FailureCode = "transcode_error") {
    super(reason);
    this.retryable = retryable;
    this.code = code;
  }
}

/** For the log only (raw): an ffmpeg error's first line + a trimmed stderr tail. */
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

/**
 * For the owner: what ffmpeg said, as one line without its log prefix, the source URL, hosts or
 * paths. ffmpeg's last words ("Invalid data found when processing input") say more than an exit
 * code, and once scrubbed they name nothing of the fleet.
 */
export function ownerDetail(what: string, err: FfmpegError): string {
  const head = err.message.split("\n")[0] ?? "ffmpeg failed";
  const last = err.stderrTail
    .split("\n")
    .map((l) => sanitizeFailureDetail(l.replace(/^\[[^\]]*\]\s*/, "")))
    .filter((l) => l && !l.startsWith("Svt[") && !/^<(?:url|path|host)>:?$/.test(l))
    .at(-1);
  const said = last ? `: ${last.length > 160 ? `${last.slice(0, 157)}...` : last}` : "";
  return sanitizeFailureDetail(`${what}: ${head}${said}`);
}

const TRANSIENT_FFMPEG =
  /No space left on device|Cannot allocate memory|Resource temporarily unavailable|failed to map segment|Connection (reset|refused|timed out)|Server returned 5\d\d/i;

/** `signal` is the caller's (cancel, shutdown), not the job's internal one. */
export function classifyFailure(err: unknown, signal: AbortSignal | undefined): JobFailure {
  if (err instanceof JobFailure) return err;
  if (err instanceof NotAVideoError) return new JobFailure(err.reason, false, err.code);
  if (err instanceof SourceMissingError)
    return new JobFailure("the uploaded file is no longer in storage", false, "source_missing");
  if (err instanceof InsufficientDiskError) return new JobFailure(err.message, true);
  if (signal?.aborted) {
    const why = signal.reason instanceof Error ? signal.reason.message : "job cancelled";
    return new JobFailure(sanitizeFailureDetail(why), true);
  }
  if (err instanceof FfmpegError) return ffmpegFailure(err);
  return new JobFailure(sanitizeFailureDetail(`transcoder error: ${errorMessage(err)}`), true);
}

function ffmpegFailure(err: FfmpegError): JobFailure {
  const detail = ownerDetail("transcoding failed", err);
  // Too slow or stuck: another node (less busy) may manage; the attempts are bounded.
  if (err.kind === "timeout" || err.kind === "stalled") return new JobFailure(detail, true, "timed_out");
  // Signals (OOM killer), resource exhaustion and network trouble are the machine's
  // fault; an ffmpeg error exit on this input will happen again on any node.
  const transient = err.kind === "signal" || err.kind === "spawn" || TRANSIENT_FFMPEG.test(err.stderrTail);
  return new JobFailure(detail, transient);
}
