/**
 * Queue consumers. `streamline-jobs`: push each job to the transcoder fleet, signed.
 * 202 (accepted) or 409 (already running on some node) ack; 429/503/5xx/network retry
 * with exponential backoff; after max retries the platform moves it to the DLQ, whose
 * consumer marks the video `failed` with a reason a person understands.
 */
import { Job, SIGNATURE_HEADER, signBody } from "@streamline/contracts";
import type { Services } from "../../lib/services.ts";
import { roomNotifier } from "../progress/room-notifier.ts";
import { VideosRepo } from "../videos/videos.repo.ts";

export const DLQ_NAME = "streamline-jobs-dlq";

/** 10 s, 20 s, 40 s … capped at 5 min, with ±20 % jitter so a busy fleet isn't hit in lockstep. */
export function backoffSeconds(attempts: number, random = Math.random): number {
  const base = Math.min(300, 10 * 2 ** Math.max(0, attempts - 1));
  return Math.max(1, Math.round(base * (0.8 + random() * 0.4)));
}

export type DispatchResult =
  | { kind: "ack"; accepted: boolean; job: Job }
  | { kind: "retry"; delaySeconds: number; why: string }
  | { kind: "drop"; why: string };

export async function dispatchJob(
  services: Pick<Services, "config">,
  body: unknown,
  attempts: number,
  fetcher: typeof fetch = fetch,
): Promise<DispatchResult> {
  const parsed = Job.safeParse(body);
  if (!parsed.success) return { kind: "drop", why: "malformed job payload" };
  const payload = JSON.stringify(parsed.data);
  const signature = await signBody(services.config.TRANSCODER_SECRET, payload);
  let res: Response;
  try {
    res = await fetcher(`${services.config.TRANSCODER_URL.replace(/\/$/, "")}/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature },
      body: payload,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    return {
      kind: "retry",
      delaySeconds: backoffSeconds(attempts),
      why: `transcoder unreachable: ${String(err)}`,
    };
  }
  const text = await res.text().catch(() => "");
  if (res.status === 202) return { kind: "ack", accepted: true, job: parsed.data };
  // 409 `already_running`: this very attempt runs on some node (at-least-once redelivery): its
  // lease stands. 409 `job_claimed`: an older attempt's claim hasn't expired yet: try again later.
  if (res.status === 409 && errorCode(text) !== "job_claimed")
    return { kind: "ack", accepted: false, job: parsed.data };
  const retryAfter = Number(res.headers.get("retry-after"));
  const delay =
    Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(300, retryAfter) : backoffSeconds(attempts);
  return { kind: "retry", delaySeconds: delay, why: `transcoder answered ${res.status}` };
}

function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

export async function consumeJobs(batch: MessageBatch<unknown>, services: Services): Promise<void> {
  const room = roomNotifier(services.env, services.config.JOB_LEASE_SECONDS * 1000);
  await Promise.all(
    batch.messages.map(async (message) => {
      const result = await dispatchJob(services, message.body, message.attempts);
      // Only transcodes hold the video's lease; a poster job is small and fire-and-forget.
      if (result.kind === "ack" && result.accepted && result.job.type === "transcode") {
        // The fleet took it: from now on the attempt must show signs of life or be replaced.
        await room.startLease(result.job.videoId, result.job.attemptId, result.job.attempt);
      }
      if (result.kind === "retry") {
        console.warn(`job retry in ${result.delaySeconds}s: ${result.why}`);
        message.retry({ delaySeconds: result.delaySeconds });
      } else {
        if (result.kind === "drop") console.error(`job dropped: ${result.why}`);
        message.ack();
      }
    }),
  );
}

export async function consumeDeadLetters(batch: MessageBatch<unknown>, services: Services): Promise<void> {
  const repo = new VideosRepo(services.db);
  const room = roomNotifier(services.env, services.config.JOB_LEASE_SECONDS * 1000);
  for (const message of batch.messages) {
    const parsed = Job.safeParse(message.body);
    if (parsed.success) {
      const { videoId, attemptId } = parsed.data;
      const video = await repo.find(videoId);
      // Only the attempt that died here may fail the video; a newer attempt is still alive.
      if (video && video.attemptId === attemptId) {
        const reason =
          "transcoding could not start: the transcoder fleet was unavailable, please try again later";
        const failed = await repo.transition(videoId, ["queued", "processing"], {
          status: "failed",
          failureReason: reason,
        });
        if (failed) {
          await room.publish(videoId, [
            { type: "status", status: "failed", playable: video.playable, failureReason: reason },
            { type: "failed", reason },
          ]);
        }
      }
    }
    message.ack();
  }
}
