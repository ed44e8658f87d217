/**
 * Queue consumers. `streamline-jobs`: push each job to the transcoder fleet, signed.
 * 202 (accepted) or 409 (already running on some node) ack; 429/503/5xx/network retry
 * with exponential backoff; after max retries the platform moves it to the DLQ, whose
 * consumer marks the video `failed` with a reason a person understands.
 */
import { backoffDelay, Job } from "@streamline/contracts";
import { type LogFields, log, withLogContext } from "../../lib/log.ts";
import type { Services } from "../../lib/services.ts";
import { type DispatchAnswer, TranscoderClient } from "../../lib/transcoder-client.ts";
import { ChannelsRepo } from "../channels/channels.repo.ts";
import { notifyQueue, notifyUser } from "../notifications/notifier.ts";
import { roomNotifier } from "../progress/room-notifier.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { webhooks, webhookVideo } from "../webhooks/emit.ts";
import { recordDeadJob } from "./dead-jobs.service.ts";
import { jobLogFields } from "./jobs.service.ts";

export const DLQ_NAME = "streamline-jobs-dlq";

/** The default cap on the backoff (and on a fleet's Retry-After). */
const MAX_DELAY_SECONDS = 300;

export interface BackoffPolicy {
  baseSeconds: number;
  maxSeconds: number;
}

const DEFAULT_BACKOFF: BackoffPolicy = { baseSeconds: 10, maxSeconds: MAX_DELAY_SECONDS };

/**
 * 10 s, 20 s, 40 s … capped at 5 min (by default: DISPATCH_BACKOFF_SECONDS / _MAX_SECONDS), with
 * ±20 % jitter so a busy fleet isn't hit in lockstep. `attempts` is the queue's 1-based delivery count.
 */
export function backoffSeconds(attempts: number, random = Math.random, policy = DEFAULT_BACKOFF): number {
  const delay = backoffDelay(
    attempts - 1,
    { base: policy.baseSeconds, cap: policy.maxSeconds, jitter: [0.8, 1.2] },
    random,
  );
  return Math.max(1, Math.min(policy.maxSeconds, delay));
}

export type DispatchResult =
  | { kind: "ack"; accepted: boolean; job: Job }
  | { kind: "retry"; delaySeconds: number; why: string }
  | { kind: "drop"; why: string };

export async function dispatchJob(
  services: Pick<Services, "config">,
  body: unknown,
  attempts: number,
): Promise<DispatchResult> {
  const parsed = Job.safeParse(body);
  if (!parsed.success) return { kind: "drop", why: "malformed job payload" };
  const { config } = services;
  const policy = {
    baseSeconds: config.DISPATCH_BACKOFF_SECONDS,
    maxSeconds: config.DISPATCH_BACKOFF_MAX_SECONDS,
  };
  const backoff = () => backoffSeconds(attempts, Math.random, policy);
  let answer: DispatchAnswer;
  try {
    answer = await new TranscoderClient(config).dispatch(parsed.data);
  } catch (err) {
    return { kind: "retry", delaySeconds: backoff(), why: `transcoder unreachable: ${String(err)}` };
  }
  if (answer.status === 202) return { kind: "ack", accepted: true, job: parsed.data };
  // 409 `already_running`: this very attempt runs on some node (at-least-once redelivery): its
  // lease stands. 409 `job_claimed`: an older attempt's claim hasn't expired yet: retry once it
  // has (its Retry-After is the claim's remaining TTL, exact).
  if (answer.status === 409 && answer.errorCode !== "job_claimed")
    return { kind: "ack", accepted: false, job: parsed.data };
  const retryAfter =
    answer.retryAfterSeconds !== undefined
      ? Math.min(MAX_DELAY_SECONDS, answer.retryAfterSeconds)
      : undefined;
  // Busy or down (429/503/5xx): the fleet's Retry-After is a floor under a growing backoff, so the
  // queue's bounded retries span minutes of outage, not 8 × a few seconds.
  const delay =
    answer.status === 409 && retryAfter !== undefined ? retryAfter : Math.max(retryAfter ?? 0, backoff());
  return { kind: "retry", delaySeconds: delay, why: `transcoder answered ${answer.status}` };
}

/** The log scope of one queue message: the job's ids and the request that queued it. */
export function messageLogFields(body: unknown, attempts: number): LogFields {
  const parsed = Job.safeParse(body);
  if (!parsed.success) return { deliveries: attempts };
  return { ...jobLogFields(parsed.data), requestId: parsed.data.requestId, deliveries: attempts };
}

export async function consumeJobs(batch: MessageBatch<unknown>, services: Services): Promise<void> {
  const room = roomNotifier(services.env, services.config.JOB_LEASE_SECONDS * 1000);
  await Promise.all(
    batch.messages.map((message) =>
      withLogContext(messageLogFields(message.body, message.attempts), async () => {
        const result = await dispatchJob(services, message.body, message.attempts);
        // Only transcodes hold the video's lease; a poster job is small and fire-and-forget.
        if (result.kind === "ack" && result.accepted && result.job.type === "transcode") {
          // The fleet took it: from now on the attempt must show signs of life or be replaced.
          await room.startLease(result.job.videoId, result.job.attemptId, result.job.attempt);
        }
        if (result.kind === "retry") {
          log.warn("job dispatch retried", { delaySeconds: result.delaySeconds, why: result.why });
          message.retry({ delaySeconds: result.delaySeconds });
        } else {
          if (result.kind === "drop") log.error("job dropped", { why: result.why });
          else log.info("job dispatched", { accepted: result.accepted });
          message.ack();
        }
      }),
    ),
  );
}

export async function consumeDeadLetters(batch: MessageBatch<unknown>, services: Services): Promise<void> {
  const repo = new VideosRepo(services.db);
  const room = roomNotifier(services.env, services.config.JOB_LEASE_SECONDS * 1000);
  for (const message of batch.messages) {
    await withLogContext(messageLogFields(message.body, message.attempts), () =>
      deadLetter(message, services, repo, room),
    );
    message.ack();
  }
}

/** One dead job: recorded for the admin fleet page, then what waited for it is told it failed. */
async function deadLetter(
  message: Message<unknown>,
  services: Services,
  repo: VideosRepo,
  room: ReturnType<typeof roomNotifier>,
): Promise<void> {
  const parsed = Job.safeParse(message.body);
  if (!parsed.success) {
    log.error("dropping a malformed dead-lettered job", { body: JSON.stringify(message.body).slice(0, 300) });
    return;
  }
  const job = parsed.data;
  await recordDeadJob(services, job, message.attempts, Date.now());
  if (job.type === "channel-image") {
    // The channel stops waiting for that image; the editor says so (the previous one stays).
    await new ChannelsRepo(services.db).failImage(
      job.userId,
      job.kind,
      job.attemptId,
      "the image service was unavailable; please try again later",
      Date.now(),
    );
    return;
  }
  const video = await repo.find(job.videoId);
  // Only the attempt that died here may fail the video; a newer attempt is still alive.
  if (!video || video.attemptId !== job.attemptId) return;
  const reason = "transcoding could not start: the transcoder fleet was unavailable, please try again later";
  const failed = await repo.transition(job.videoId, ["queued", "processing"], {
    status: "failed",
    failureReason: reason,
  });
  if (!failed) return;
  await room.publish(job.videoId, [
    { type: "status", status: "failed", playable: video.playable, failureReason: reason },
    { type: "failed", reason },
  ]);
  await webhooks(services.env).emit(video.ownerId, "video.failed", {
    video: webhookVideo({ ...video, status: "failed", failureReason: reason }),
  });
  if (video.ownerId) {
    await notifyUser(notifyQueue(services.env), {
      userId: video.ownerId,
      kind: "video_failed",
      videoId: video.id,
    });
  }
}
