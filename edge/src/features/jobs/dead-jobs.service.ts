/**
 * Dead jobs (ADR 0028): the jobs DLQ consumer records every job message the queue gave up on;
 * an admin lists them on the fleet page and retries one, which puts what it worked on back
 * in the state the job expects and sends the same job (same attempt) to the queue again.
 */
import { type DeadJobDto, Job, jobSubject } from "@streamline/contracts";
import { AppError, notFound } from "../../lib/errors.ts";
import { randomId } from "../../lib/ids.ts";
import { log } from "../../lib/log.ts";
import type { Services } from "../../lib/services.ts";
import { ChannelsRepo } from "../channels/channels.repo.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { type DeadJobRow, DeadJobsRepo } from "./dead-jobs.repo.ts";
import { queueOf } from "./jobs.service.ts";

export const JOBS_QUEUE_NAME = "streamline-jobs";

export function deadJobDto(row: DeadJobRow): DeadJobDto {
  return {
    id: row.id,
    queue: row.queue,
    jobType: row.jobType,
    jobId: row.jobId,
    subject: row.subject,
    attempt: row.attempt,
    requestId: row.requestId,
    deliveries: row.deliveries,
    reason: row.reason,
    deadAt: new Date(row.deadAt).toISOString(),
    retriedAt: row.retriedAt === null ? null : new Date(row.retriedAt).toISOString(),
  };
}

/** Called by the DLQ consumer for each parsed job message. */
export async function recordDeadJob(
  services: Pick<Services, "db">,
  job: Job,
  deliveries: number,
  now: number,
) {
  await new DeadJobsRepo(services.db).recordDeadJob({
    id: `dj_${randomId(16)}`,
    queue: JOBS_QUEUE_NAME,
    jobType: job.type,
    jobId: job.jobId,
    subject: jobSubject(job),
    attempt: job.attempt,
    attemptId: job.attemptId,
    requestId: job.requestId ?? null,
    jobJson: JSON.stringify(job),
    deliveries,
    reason: `not dispatched after ${deliveries} deliveries: the fleet was unreachable, busy or refused it`,
    deadAt: now,
  });
  log.warn("job dead-lettered", { deliveries });
}

const stale = () =>
  new AppError(409, "dead_job_stale", "a newer attempt replaced this job; there is nothing to retry");

/**
 * Puts the job's video (or channel image) back where the job expects it: a transcode's video
 * `failed` by the DLQ goes back to `queued` with the same attempt; a poster or channel image
 * must still be the awaited one. Throws 409 when something newer replaced the job.
 */
async function reopen(services: Services, job: Job, now: number): Promise<void> {
  if (job.type === "channel-image") {
    const channel = await new ChannelsRepo(services.db).findByUserId(job.userId);
    const pending = job.kind === "avatar" ? channel?.avatarAttemptId : channel?.bannerAttemptId;
    if (!channel || (pending !== null && pending !== job.attemptId)) throw stale();
    await new ChannelsRepo(services.db).startImage(job.userId, job.kind, job.attemptId, now);
    return;
  }
  const videos = new VideosRepo(services.db);
  const video = await videos.find(job.videoId);
  if (!video) throw new AppError(410, "video_gone", "the job's video was deleted");
  if (job.type === "poster") {
    if (video.posterAttemptId !== job.attemptId) throw stale();
    return;
  }
  if (job.type !== "transcode") return;
  if (video.attemptId !== job.attemptId) throw stale();
  if (video.status === "failed") {
    await videos.transition(video.id, ["failed"], {
      status: "queued",
      failureReason: null,
      failureCode: null,
      queuedAt: now,
      heartbeatAt: null,
      lastEventSeq: -1,
    });
  }
}

/** An admin's retry: 404 unknown, 409 retried already or replaced, else the job is queued again. */
export async function retryDeadJob(services: Services, id: string, adminId: string): Promise<DeadJobDto> {
  const repo = new DeadJobsRepo(services.db);
  const row = await repo.findDeadJob(id);
  if (!row) throw notFound("dead job");
  if (row.retriedAt !== null) throw new AppError(409, "already_retried", "this dead job was retried already");
  const parsed = Job.safeParse(JSON.parse(row.jobJson));
  if (!parsed.success)
    throw new AppError(409, "dead_job_unreadable", "this job's payload is no longer valid");
  const now = Date.now();
  await reopen(services, parsed.data, now);
  if (!(await repo.markRetried(id, adminId, now)))
    throw new AppError(409, "already_retried", "this dead job was retried already");
  // The retry is its own request: its id replaces the original's (which stays on the record).
  const { requestId: original, ...job } = parsed.data;
  await queueOf(services.env.JOBS).send(job);
  log.info("dead job retried", {
    deadJobId: id,
    videoId: row.subject,
    jobId: row.jobId,
    originalRequestId: original,
  });
  return deadJobDto({ ...row, retriedAt: now, retriedBy: adminId });
}
