/**
 * Webhook endpoints as their owner manages them (ADR 0025): register (the target is checked
 * by the SSRF guard and the secret is shown once), list, change, delete, read the delivery
 * log and redeliver one event by hand.
 */
import type {
  CreatedWebhookResponse,
  CreateWebhookBody,
  UpdateWebhookBody,
  WebhookDeliveriesResponse,
  WebhookDeliveryDto,
  WebhookDto,
  WebhookEventType,
} from "@streamline/contracts";
import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from "../../db/schema.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import type { WebhookQueue } from "./emit.ts";
import { seal } from "./secret-box.ts";
import { generateWebhookSecret } from "./signature.ts";
import { checkTarget, type TargetGuardOptions } from "./target-guard.ts";
import {
  type DeliveryCursor,
  MAX_ENDPOINTS_PER_USER,
  newEndpointId,
  type WebhooksRepo,
} from "./webhooks.repo.ts";

export interface WebhooksServiceDeps {
  repo: WebhooksRepo;
  queue: WebhookQueue;
  masterSecret: string;
  guard: TargetGuardOptions;
  retryHours: number;
  now?: () => number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toWebhookDto(row: WebhookEndpointRow): WebhookDto {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.eventsJson) as WebhookEventType[],
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

function toDeliveryDto(row: WebhookDeliveryRow, attempts: WebhookAttemptRow[]): WebhookDeliveryDto {
  return {
    id: row.id,
    eventId: row.eventId,
    type: row.eventType,
    status: row.status,
    attempt: row.attempt,
    responseCode: row.responseCode,
    latencyMs: row.latencyMs,
    error: row.lastError,
    nextAttemptAt: iso(row.nextAttemptAt),
    createdAt: new Date(row.createdAt).toISOString(),
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      at: new Date(a.startedAt).toISOString(),
      outcome: a.outcome,
      responseCode: a.responseCode,
      latencyMs: a.latencyMs,
      error: a.error,
    })),
  };
}

const encodeCursor = (c: DeliveryCursor) => btoa(`${c.createdAt}:${c.id}`);
function decodeCursor(raw: string): DeliveryCursor {
  try {
    const [at, id] = atob(raw).split(":");
    const createdAt = Number(at);
    if (Number.isSafeInteger(createdAt) && id && /^wd_[A-Za-z0-9]{20}$/.test(id)) return { createdAt, id };
  } catch {}
  throw new AppError(400, "invalid_cursor", "cursor is not one this API issued");
}

export class WebhooksService {
  private readonly deps: WebhooksServiceDeps;
  constructor(deps: WebhooksServiceDeps) {
    this.deps = deps;
  }

  private now() {
    return this.deps.now?.() ?? Date.now();
  }

  private async assertTarget(url: string): Promise<void> {
    const check = await checkTarget(url, this.deps.guard);
    if (!check.ok)
      throw new AppError(422, "webhook_url_refused", `this URL cannot receive webhooks: it ${check.reason}`);
  }

  async list(userId: string): Promise<WebhookDto[]> {
    return (await this.deps.repo.listEndpoints(userId)).map(toWebhookDto);
  }

  async create(userId: string, body: CreateWebhookBody): Promise<CreatedWebhookResponse> {
    if ((await this.deps.repo.listEndpoints(userId)).length >= MAX_ENDPOINTS_PER_USER)
      throw new AppError(409, "too_many_webhooks", `at most ${MAX_ENDPOINTS_PER_USER} webhook endpoints`);
    await this.assertTarget(body.url);
    const secret = generateWebhookSecret();
    const row: WebhookEndpointRow = {
      id: newEndpointId(),
      userId,
      url: body.url,
      eventsJson: JSON.stringify(body.events),
      secretSealed: await seal(this.deps.masterSecret, secret),
      enabled: true,
      disabledReason: null,
      createdAt: this.now(),
    };
    await this.deps.repo.insertEndpoint(row);
    return { webhook: toWebhookDto(row), secret };
  }

  private async owned(userId: string, id: string): Promise<WebhookEndpointRow> {
    const row = await this.deps.repo.findEndpoint(userId, id);
    if (!row) throw notFound("webhook");
    return row;
  }

  async update(userId: string, id: string, body: UpdateWebhookBody): Promise<WebhookDto> {
    await this.owned(userId, id);
    if (body.url !== undefined) await this.assertTarget(body.url);
    const row = await this.deps.repo.updateEndpoint(id, {
      ...(body.url !== undefined ? { url: body.url } : {}),
      ...(body.events ? { eventsJson: JSON.stringify(body.events) } : {}),
      // Switching it on again clears why the platform switched it off.
      ...(body.enabled !== undefined ? { enabled: body.enabled, disabledReason: null } : {}),
    });
    if (!row) throw notFound("webhook");
    return toWebhookDto(row);
  }

  async remove(userId: string, id: string): Promise<void> {
    if (!(await this.deps.repo.deleteEndpoint(userId, id))) throw notFound("webhook");
  }

  async deliveries(
    userId: string,
    id: string,
    limit: number,
    cursor?: string,
  ): Promise<WebhookDeliveriesResponse> {
    await this.owned(userId, id);
    const rows = await this.deps.repo.listDeliveries(
      id,
      limit + 1,
      cursor ? decodeCursor(cursor) : undefined,
    );
    const page = rows.slice(0, limit);
    const attempts = await this.deps.repo.attemptsOf(page.map((r) => r.id));
    const last = page.at(-1);
    return {
      deliveries: page.map((r) =>
        toDeliveryDto(
          r,
          attempts.filter((a) => a.deliveryId === r.id),
        ),
      ),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }

  /** Sends the same event (same id, so receivers can deduplicate) once more, with a fresh retry window. */
  async redeliver(userId: string, id: string, deliveryId: string): Promise<number> {
    const endpoint = await this.owned(userId, id);
    if (!endpoint.enabled)
      throw new AppError(409, "webhook_disabled", "this endpoint is switched off; enable it first");
    const now = this.now();
    const attempt = await this.deps.repo.reopen(id, deliveryId, now, now + this.deps.retryHours * 3600_000);
    if (attempt === null) {
      const found = await this.deps.repo.findDelivery(deliveryId);
      if (found?.delivery.endpointId !== id) throw notFound("delivery");
      throw new AppError(409, "delivery_in_progress", "this delivery is being attempted right now");
    }
    await this.deps.queue.send({ type: "deliver", deliveryId, attempt });
    return attempt;
  }
}
