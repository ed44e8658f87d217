/**
 * What other features call when something a webhook reports happens (ADR 0025):
 * `webhooks.emit(ownerId, type, data)` enqueues ONE message on `streamline-webhooks` and
 * returns; the consumer finds the owner's endpoints, creates the deliveries and sends them.
 * A failure to enqueue is logged, never thrown: a webhook must not fail the upload, the
 * comment or the transcoder event that caused it.
 */
import type {
  WebhookEvent,
  WebhookEventData,
  WebhookEventType,
  WebhookJob,
  WebhookVideo,
} from "@streamline/contracts";
import type { VideoRow } from "../../db/schema.ts";
import { randomId } from "../../lib/ids.ts";
import { errorMessage, log } from "../../lib/log.ts";

export const newEventId = () => `evt_${randomId(24)}`;

export interface WebhookEmitter {
  emit(ownerId: string | null | undefined, type: WebhookEventType, data: WebhookEventData): Promise<void>;
}

export interface WebhookQueue {
  send(message: WebhookJob, options?: QueueSendOptions): Promise<unknown>;
}

export function webhookQueue(env: Pick<Env, "WEBHOOKS">): WebhookQueue {
  return { send: (m, options) => env.WEBHOOKS.send(m, { contentType: "json", ...options }) };
}

export function buildEvent(type: WebhookEventType, data: WebhookEventData, now = Date.now()): WebhookEvent {
  return { id: newEventId(), type, createdAt: new Date(now).toISOString(), data };
}

export function webhookEmitter(queue: WebhookQueue): WebhookEmitter {
  return {
    async emit(ownerId, type, data) {
      if (!ownerId) return;
      try {
        await queue.send({ type: "event", ownerId, event: buildEvent(type, data) });
      } catch (err) {
        log.error("webhook not enqueued", { type, error: errorMessage(err) });
      }
    },
  };
}

/** `webhooks(env).emit(…)`: the emitter over the Worker's queue binding. */
export const webhooks = (env: Pick<Env, "WEBHOOKS">): WebhookEmitter => webhookEmitter(webhookQueue(env));

/** The video as a webhook payload shows it: the owner's view of its state, no signed URLs. */
export function webhookVideo(row: VideoRow): WebhookVideo {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    playable: row.playable,
    visibility: row.visibility,
    durationSec: row.durationSec ?? null,
    width: row.width ?? null,
    height: row.height ?? null,
    failureReason: row.failureReason ?? null,
  };
}
