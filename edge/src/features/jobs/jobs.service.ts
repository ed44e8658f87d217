/**
 * Starting transcode attempts: every path that hands a video to the fleet (upload
 * completion, retryable failure, lease expiry, sweeper) goes through `JobsService.startAttempt`, so
 * attempt numbering and the "at most N attempts" rule live in one place.
 */
import {
  acceptRequestId,
  type Job,
  jobSubject,
  outputPrefix,
  sourceKey,
  type TranscodeJobV1,
} from "@streamline/contracts";
import type { VideoRow } from "../../db/schema.ts";
import { newAttemptId } from "../../lib/ids.ts";
import { type LogFields, log, logContext } from "../../lib/log.ts";
import type { VideosRepo } from "../videos/videos.repo.ts";

export interface JobQueue {
  send(job: Job): Promise<void>;
}

/**
 * The jobs queue. Each message carries the current request id (ADR 0028) across the queue hop,
 * and the enqueue is logged with the job's ids: the first line a `grep <videoId>` finds of a job.
 */
export function queueOf(queue: Queue): JobQueue {
  return {
    send: async (job) => {
      const requestId = job.requestId ?? acceptRequestId(logContext().requestId as string | undefined);
      await queue.send(requestId ? { ...job, requestId } : job, { contentType: "json" });
      log.info("job queued", { ...jobLogFields(job), ...(requestId ? { requestId } : {}) });
    },
  };
}

/** The ids every log line about a job carries. */
export function jobLogFields(job: Job): LogFields {
  return {
    videoId: jobSubject(job),
    jobId: job.jobId,
    attempt: job.attempt,
    attemptId: job.attemptId,
    jobType: job.type,
  };
}

export function buildJob(video: VideoRow, attempt: number, attemptId: string, now: Date): TranscodeJobV1 {
  return {
    v: 1,
    type: "transcode",
    jobId: video.jobId ?? `j_${video.id.slice(2)}`,
    videoId: video.id,
    attempt,
    attemptId,
    source: { key: sourceKey(video.id), size: video.size, contentType: video.contentType },
    outputPrefix: outputPrefix(video.id),
    createdAt: now.toISOString(),
  };
}

export type StartResult =
  | { started: true; job: TranscodeJobV1 }
  | { started: false; reason: "attempts_exhausted" | "state_changed" };

export interface JobsDeps {
  repo: VideosRepo;
  queue: JobQueue;
  maxAttempts: number;
  now?: () => Date;
}

export class JobsService {
  private readonly deps: JobsDeps;
  constructor(deps: JobsDeps) {
    this.deps = deps;
  }

  /**
   * Moves the video to `queued` with a fresh attempt id (only if it is still in one of
   * `from`), then enqueues. The conditional update makes concurrent callers race safely:
   * exactly one of them enqueues.
   */
  async startAttempt(video: VideoRow, from: VideoRow["status"][]): Promise<StartResult> {
    const { repo, queue, maxAttempts } = this.deps;
    const now = this.deps.now?.() ?? new Date();
    const attempt = video.attempt + 1;
    if (attempt > maxAttempts) return { started: false, reason: "attempts_exhausted" };
    const attemptId = newAttemptId();
    const jobId = video.jobId ?? `j_${video.id.slice(2)}`;
    const moved = await repo.transition(video.id, from, {
      status: "queued",
      jobId,
      attempt,
      attemptId,
      lastEventSeq: -1,
      heartbeatAt: null,
      queuedAt: now.getTime(),
      progressJson: null,
    });
    if (!moved) return { started: false, reason: "state_changed" };
    const job = buildJob({ ...video, jobId }, attempt, attemptId, now);
    await queue.send(job);
    return { started: true, job };
  }
}
