/**
 * The `streamline-webhooks` consumer (ADR 0025). An `event` message becomes one delivery per
 * enabled endpoint of its owner that subscribed to its type (idempotent: unique per endpoint
 * and event) and a `deliver` message each; a `deliver` message is one attempt (delivery.ts).
 * The dead-letter consumer marks a delivery whose attempt kept crashing as failed.
 */
import { type WebhookEvent, WebhookJob } from "@streamline/contracts";
import type { WebhookDeliveryRow } from "../../db/schema.ts";
import { errorMessage, log } from "../../lib/log.ts";
import type { Services } from "../../lib/services.ts";
import { type DeliveryDeps, deliver } from "./delivery.ts";
import { type WebhookQueue, webhookQueue } from "./emit.ts";
import { dohResolver } from "./target-guard.ts";
import { newDeliveryId, WebhooksRepo } from "./webhooks.repo.ts";

export const WEBHOOKS_QUEUE_NAME = "streamline-webhooks";
export const WEBHOOKS_DLQ_NAME = "streamline-webhooks-dlq";

type Deps = Pick<Services, "db" | "config" | "env">;

export function deliveryDeps(deps: Deps, overrides: Partial<DeliveryDeps> = {}): DeliveryDeps {
  return {
    repo: new WebhooksRepo(deps.db),
    queue: webhookQueue(deps.env),
    masterSecret: deps.config.JWT_SECRET,
    guard: { allowHosts: deps.config.WEBHOOK_ALLOW_HOSTS, resolve: dohResolver() },
    retryBaseSeconds: deps.config.WEBHOOK_RETRY_BASE_SECONDS,
    fetch: (input, init) => fetch(input, init),
    ...overrides,
  };
}

/** Creates the deliveries of one event and sends their first attempts. */
export async function fanOutEvent(
  deps: DeliveryDeps,
  ownerId: string,
  event: WebhookEvent,
  retryHours: number,
  now = Date.now(),
): Promise<string[]> {
  const endpoints = (await deps.repo.listEndpoints(ownerId)).filter(
    (e) => e.enabled && (JSON.parse(e.eventsJson) as string[]).includes(event.type),
  );
  const payload = JSON.stringify(event);
  const rows: WebhookDeliveryRow[] = endpoints.map((e) => ({
    id: newDeliveryId(),
    endpointId: e.id,
    eventId: event.id,
    eventType: event.type,
    payload,
    status: "pending",
    attempt: 0,
    responseCode: null,
    latencyMs: null,
    lastError: null,
    nextAttemptAt: now,
    retryUntil: now + retryHours * 3600_000,
    createdAt: now,
    updatedAt: now,
  }));
  const created = await deps.repo.insertDeliveries(rows);
  await sendFirstAttempts(deps.queue, created);
  return created;
}

async function sendFirstAttempts(queue: WebhookQueue, deliveryIds: string[]) {
  for (const deliveryId of deliveryIds) await queue.send({ type: "deliver", deliveryId, attempt: 1 });
}

async function handle(deps: DeliveryDeps, retryHours: number, job: WebhookJob): Promise<void> {
  if (job.type === "event") await fanOutEvent(deps, job.ownerId, job.event, retryHours);
  else await deliver(deps, job.deliveryId, job.attempt);
}

export async function consumeWebhooks(batch: MessageBatch<unknown>, services: Deps): Promise<void> {
  const deps = deliveryDeps(services);
  await Promise.all(
    batch.messages.map(async (message) => {
      const job = WebhookJob.safeParse(message.body);
      if (!job.success) {
        log.error("webhooks: dropping a malformed message", { error: job.error.message });
        return message.ack();
      }
      try {
        await handle(deps, services.config.WEBHOOK_RETRY_HOURS, job.data);
        message.ack();
      } catch (err) {
        log.error("webhooks: message failed, retrying", { type: job.data.type, error: errorMessage(err) });
        message.retry({ delaySeconds: 5 });
      }
    }),
  );
}

export async function consumeWebhookDeadLetters(batch: MessageBatch<unknown>, services: Deps): Promise<void> {
  const repo = new WebhooksRepo(services.db);
  for (const message of batch.messages) {
    const job = WebhookJob.safeParse(message.body);
    if (job.success && job.data.type === "deliver")
      await repo.updateDelivery(
        job.data.deliveryId,
        { status: "failed", nextAttemptAt: null, lastError: "the delivery kept failing inside the platform" },
        Date.now(),
      );
    else
      log.error("webhooks: an event could not be fanned out", {
        body: JSON.stringify(message.body).slice(0, 500),
      });
    message.ack();
  }
}
