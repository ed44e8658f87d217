/** Webhook endpoints, deliveries and their attempts in D1 (ADR 0025). */
import { and, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import {
  type WebhookAttemptRow,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
} from "../../db/schema.ts";
import { randomId } from "../../lib/ids.ts";

export const newEndpointId = () => `wh_${randomId(20)}`;
export const newDeliveryId = () => `wd_${randomId(20)}`;
/** Endpoints a user may register. */
export const MAX_ENDPOINTS_PER_USER = 10;

export type EndpointPatch = Partial<
  Pick<WebhookEndpointRow, "url" | "eventsJson" | "enabled" | "disabledReason">
>;
export type DeliveryPatch = Partial<
  Pick<
    WebhookDeliveryRow,
    "status" | "responseCode" | "latencyMs" | "lastError" | "nextAttemptAt" | "retryUntil"
  >
>;

export interface DeliveryWithEndpoint {
  delivery: WebhookDeliveryRow;
  endpoint: WebhookEndpointRow;
}

export interface DeliveryCursor {
  createdAt: number;
  id: string;
}

export class WebhooksRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  async insertEndpoint(row: WebhookEndpointRow): Promise<void> {
    await this.db.insert(webhookEndpoints).values(row);
  }

  listEndpoints(userId: string): Promise<WebhookEndpointRow[]> {
    return this.db
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.userId, userId))
      .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
      .limit(MAX_ENDPOINTS_PER_USER + 1);
  }

  async findEndpoint(userId: string, id: string): Promise<WebhookEndpointRow | null> {
    const [row] = await this.db
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.userId, userId)));
    return row ?? null;
  }

  async updateEndpoint(id: string, patch: EndpointPatch): Promise<WebhookEndpointRow | null> {
    const [row] = await this.db
      .update(webhookEndpoints)
      .set(patch)
      .where(eq(webhookEndpoints.id, id))
      .returning();
    return row ?? null;
  }

  async deleteEndpoint(userId: string, id: string): Promise<boolean> {
    const rows = await this.db
      .delete(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.userId, userId)))
      .returning({ id: webhookEndpoints.id });
    return rows.length > 0;
  }

  /** Creates the deliveries that do not exist yet (a redelivered fan-out inserts nothing); returns the new ones. */
  async insertDeliveries(rows: WebhookDeliveryRow[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const inserted = await this.db
      .insert(webhookDeliveries)
      .values(rows)
      .onConflictDoNothing({ target: [webhookDeliveries.endpointId, webhookDeliveries.eventId] })
      .returning({ id: webhookDeliveries.id });
    return inserted.map((r) => r.id);
  }

  async findDelivery(id: string): Promise<DeliveryWithEndpoint | null> {
    const [row] = await this.db
      .select({ delivery: webhookDeliveries, endpoint: webhookEndpoints })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(eq(webhookDeliveries.id, id));
    return row ?? null;
  }

  /**
   * Takes attempt number `attempt` of a delivery: only one message wins it (a duplicate
   * queue message, or a stale one after a manual redelivery, gets null).
   */
  async claimAttempt(id: string, attempt: number, now: number): Promise<WebhookDeliveryRow | null> {
    const [row] = await this.db
      .update(webhookDeliveries)
      .set({ attempt, updatedAt: now, nextAttemptAt: null })
      .where(
        and(
          eq(webhookDeliveries.id, id),
          eq(webhookDeliveries.attempt, attempt - 1),
          inArray(webhookDeliveries.status, ["pending", "retrying"]),
        ),
      )
      .returning();
    return row ?? null;
  }

  /** One attempt's log row and the delivery's new state, in one batch. */
  async recordAttempt(attempt: WebhookAttemptRow, patch: DeliveryPatch, now: number): Promise<void> {
    await this.db.batch([
      this.db.insert(webhookAttempts).values(attempt).onConflictDoNothing(),
      this.db
        .update(webhookDeliveries)
        .set({ ...patch, updatedAt: now })
        .where(eq(webhookDeliveries.id, attempt.deliveryId)),
    ]);
  }

  async updateDelivery(id: string, patch: DeliveryPatch, now: number): Promise<void> {
    await this.db
      .update(webhookDeliveries)
      .set({ ...patch, updatedAt: now })
      .where(eq(webhookDeliveries.id, id));
  }

  /** An endpoint's deliveries, newest first, keyset-paged. */
  listDeliveries(endpointId: string, limit: number, after?: DeliveryCursor): Promise<WebhookDeliveryRow[]> {
    const page = after
      ? or(
          lt(webhookDeliveries.createdAt, after.createdAt),
          and(eq(webhookDeliveries.createdAt, after.createdAt), lt(webhookDeliveries.id, after.id)),
        )
      : undefined;
    return this.db
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.endpointId, endpointId), page))
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
      .limit(limit);
  }

  attemptsOf(deliveryIds: string[]): Promise<WebhookAttemptRow[]> {
    if (deliveryIds.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(webhookAttempts)
      .where(inArray(webhookAttempts.deliveryId, deliveryIds))
      .orderBy(webhookAttempts.deliveryId, webhookAttempts.attempt);
  }

  /**
   * Manual redelivery: the delivery goes back to `pending` with a fresh retry window, unless
   * an attempt is in flight right now. Returns the attempt number to send, or null.
   */
  async reopen(endpointId: string, id: string, now: number, retryUntil: number): Promise<number | null> {
    const [row] = await this.db
      .update(webhookDeliveries)
      .set({ status: "pending", nextAttemptAt: now, retryUntil, updatedAt: now })
      .where(
        and(
          eq(webhookDeliveries.id, id),
          eq(webhookDeliveries.endpointId, endpointId),
          sql`${webhookDeliveries.status} in ('delivered', 'failed', 'retrying')`,
        ),
      )
      .returning({ attempt: webhookDeliveries.attempt });
    return row ? row.attempt + 1 : null;
  }
}
