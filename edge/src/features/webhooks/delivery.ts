/**
 * One delivery attempt (ADR 0025): claim the attempt, check the target (SSRF guard), POST
 * the signed body with `redirect: "manual"` (each hop re-checked, at most 3), classify the
 * answer, log it and schedule what comes next.
 *
 * - 2xx → delivered.
 * - 429, 408, 5xx, a timeout or a connection error → retry after base·2^(n−1) seconds
 *   (capped at 6 h) while that stays inside the retry window (24 h from the event).
 * - 410 → failed, and the endpoint is switched off (`disabledReason: "gone"`).
 * - any other answer (4xx, a redirect without Location, too many redirects) or a target the
 *   guard refuses → failed, no retry: repeating the same request would get the same answer.
 */
import type { WebhookJob } from "@streamline/contracts";
import type { WebhookDeliveryRow } from "../../db/schema.ts";
import type { WebhookQueue } from "./emit.ts";
import { open } from "./secret-box.ts";
import { signWebhook } from "./signature.ts";
import { checkTarget, type TargetGuardOptions } from "./target-guard.ts";
import type { DeliveryPatch, WebhooksRepo } from "./webhooks.repo.ts";

export type AttemptOutcome = "delivered" | "retry" | "failed" | "gone" | "refused";

export interface DeliveryDeps {
  repo: WebhooksRepo;
  queue: WebhookQueue;
  /** JWT_SECRET: what endpoint secrets are sealed under (secret-box.ts). */
  masterSecret: string;
  guard: TargetGuardOptions;
  retryBaseSeconds: number;
  fetch: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
}

interface PostResult {
  outcome: AttemptOutcome;
  responseCode: number | null;
  error: string | null;
}

export const MAX_REDIRECTS = 3;
export const MAX_RETRY_DELAY_SECONDS = 6 * 3600;
const DEFAULT_TIMEOUT_MS = 10_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const RETRYABLE = (status: number) => status === 429 || status === 408 || status >= 500;

/** The wait before attempt `attempt + 1`. */
export function retryDelaySeconds(baseSeconds: number, attempt: number): number {
  return Math.min(baseSeconds * 2 ** (attempt - 1), MAX_RETRY_DELAY_SECONDS);
}

function classify(status: number): PostResult {
  const outcome: AttemptOutcome =
    status >= 200 && status < 300
      ? "delivered"
      : status === 410
        ? "gone"
        : RETRYABLE(status)
          ? "retry"
          : "failed";
  return { outcome, responseCode: status, error: outcome === "delivered" ? null : `HTTP ${status}` };
}

async function postOnce(deps: DeliveryDeps, url: URL, body: string, headers: Record<string, string>) {
  try {
    const res = await deps.fetch(url, {
      method: "POST",
      body,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    // The receiver's body is not needed; don't hold the connection for it.
    await res.body?.cancel().catch(() => {});
    return res;
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return timedOut ? "timed out" : `connection failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** POSTs `body` to `url`, following redirects by hand so every hop passes the guard. */
export async function postSigned(
  deps: DeliveryDeps,
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<PostResult> {
  let target = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const check = await checkTarget(target, deps.guard);
    if (!check.ok) return { outcome: "refused", responseCode: null, error: `target ${check.reason}` };
    const res = await postOnce(deps, check.url, body, headers);
    if (typeof res === "string") return { outcome: "retry", responseCode: null, error: res };
    if (!REDIRECTS.has(res.status)) return classify(res.status);
    const location = res.headers.get("location");
    if (!location) return { outcome: "failed", responseCode: res.status, error: "redirect without Location" };
    target = new URL(location, check.url).toString();
  }
  return { outcome: "failed", responseCode: null, error: `more than ${MAX_REDIRECTS} redirects` };
}

async function headersFor(delivery: WebhookDeliveryRow, secret: string, now: number) {
  return {
    "content-type": "application/json",
    "user-agent": "Streamline-Webhooks/1.0",
    "streamline-event-id": delivery.eventId,
    "streamline-event-type": delivery.eventType,
    "streamline-delivery-attempt": String(delivery.attempt),
    "streamline-signature": await signWebhook(secret, delivery.payload, Math.floor(now / 1000)),
  };
}

/** What the delivery becomes after an attempt, and the next message to send, if any. */
async function settle(
  deps: DeliveryDeps,
  delivery: WebhookDeliveryRow,
  result: PostResult,
  now: number,
): Promise<DeliveryPatch> {
  if (result.outcome === "delivered") return { status: "delivered", nextAttemptAt: null };
  if (result.outcome !== "retry") return { status: "failed", nextAttemptAt: null };
  const delay = retryDelaySeconds(deps.retryBaseSeconds, delivery.attempt);
  const at = now + delay * 1000;
  if (at > delivery.retryUntil)
    return {
      status: "failed",
      nextAttemptAt: null,
      lastError: `${result.error}; gave up (retry window over)`,
    };
  const next: WebhookJob = { type: "deliver", deliveryId: delivery.id, attempt: delivery.attempt + 1 };
  try {
    await deps.queue.send(next, { delaySeconds: delay });
  } catch (err) {
    return {
      status: "failed",
      nextAttemptAt: null,
      lastError: `${result.error}; retry not scheduled: ${String(err)}`,
    };
  }
  return { status: "retrying", nextAttemptAt: at };
}

/** Makes attempt `attempt` of a delivery; `skipped` when another message already made it. */
export async function deliver(
  deps: DeliveryDeps,
  deliveryId: string,
  attempt: number,
): Promise<AttemptOutcome | "skipped"> {
  const now = deps.now?.() ?? Date.now();
  const found = await deps.repo.findDelivery(deliveryId);
  if (!found) return "skipped";
  if (!found.endpoint.enabled) {
    if (found.delivery.status === "pending" || found.delivery.status === "retrying")
      await deps.repo.updateDelivery(deliveryId, { status: "failed", lastError: "endpoint disabled" }, now);
    return "skipped";
  }
  const delivery = await deps.repo.claimAttempt(deliveryId, attempt, now);
  if (!delivery) return "skipped";
  const secret = await open(deps.masterSecret, found.endpoint.secretSealed);
  const started = Date.now();
  const result = await postSigned(
    deps,
    found.endpoint.url,
    delivery.payload,
    await headersFor(delivery, secret, now),
  );
  const latencyMs = Date.now() - started;
  const patch = await settle(deps, delivery, result, now);
  await deps.repo.recordAttempt(
    {
      deliveryId,
      attempt,
      startedAt: now,
      responseCode: result.responseCode,
      latencyMs,
      outcome: result.outcome,
      error: result.error,
    },
    { responseCode: result.responseCode, latencyMs, lastError: result.error, ...patch },
    now,
  );
  if (result.outcome === "gone")
    await deps.repo.updateEndpoint(found.endpoint.id, { enabled: false, disabledReason: "gone" });
  return result.outcome;
}
