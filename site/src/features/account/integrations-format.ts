/** Words for the API keys and webhooks sections (pure, unit-tested). */
import type { ApiKeyDto, WebhookDeliveryDto, WebhookDto } from "@streamline/contracts";
import { formatRelativeTime } from "../../lib/format.ts";

export const SCOPE_LABELS: Record<string, string> = {
  "videos:read": "Read videos",
  "videos:write": "Edit and delete videos",
  uploads: "Upload",
  "analytics:read": "Read analytics",
  webhooks: "Manage webhooks",
};

export function keyUsage(key: ApiKeyDto, now = Date.now()): string {
  const created = `Created ${formatRelativeTime(key.createdAt, now)}`;
  return `${created} · ${key.lastUsedAt ? `last used ${formatRelativeTime(key.lastUsedAt, now)}` : "never used"}`;
}

export function webhookState(hook: WebhookDto): string {
  if (hook.enabled) return "Enabled";
  return hook.disabledReason === "gone" ? "Disabled: the receiver answered 410 Gone" : "Disabled";
}

/** "delivered · 3 attempts · HTTP 200 · 41 ms" or "retrying · next in 2 min". */
export function deliverySummary(d: WebhookDeliveryDto, now = Date.now()): string {
  const parts: string[] = [d.status, `${d.attempt} ${d.attempt === 1 ? "attempt" : "attempts"}`];
  if (d.responseCode !== null) parts.push(`HTTP ${d.responseCode}`);
  else if (d.error) parts.push(d.error);
  if (d.latencyMs !== null) parts.push(`${d.latencyMs} ms`);
  if (d.status === "retrying" && d.nextAttemptAt)
    parts.push(`next ${formatRelativeTime(d.nextAttemptAt, now)}`);
  return parts.join(" · ");
}
