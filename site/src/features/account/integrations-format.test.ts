import type { WebhookDeliveryDto } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { deliverySummary, keyUsage, webhookState } from "./integrations-format.ts";

const NOW = Date.parse("2026-12-07T12:00:00Z");
const delivery = (patch: Partial<WebhookDeliveryDto>): WebhookDeliveryDto => ({
  id: "wd_1",
  eventId: "evt_1",
  type: "video.ready",
  status: "delivered",
  attempt: 3,
  responseCode: 200,
  latencyMs: 41,
  error: null,
  nextAttemptAt: null,
  createdAt: "2026-12-07T11:59:00Z",
  attempts: [],
  ...patch,
});

describe("integrations wording", () => {
  it("says when a key was made and last used, or never", () => {
    const key = {
      id: "ak_1",
      name: "ci",
      prefix: "sl_abcdefgh",
      scopes: ["uploads" as const],
      createdAt: "2026-12-06T12:00:00Z",
      lastUsedAt: null,
    };
    expect(keyUsage(key, NOW)).toBe("Created yesterday · never used");
    expect(keyUsage({ ...key, lastUsedAt: "2026-12-07T11:58:00Z" }, NOW)).toBe(
      "Created yesterday · last used 2 minutes ago",
    );
  });

  it("summarises a delivery: status, attempts, code, latency, next attempt", () => {
    expect(deliverySummary(delivery({}), NOW)).toBe("delivered · 3 attempts · HTTP 200 · 41 ms");
    expect(
      deliverySummary(
        delivery({
          status: "retrying",
          attempt: 1,
          responseCode: null,
          latencyMs: 10000,
          error: "timed out",
          nextAttemptAt: "2026-12-07T12:02:00Z",
        }),
        NOW,
      ),
    ).toBe("retrying · 1 attempt · timed out · 10000 ms · next in 2 minutes");
  });

  it("explains why an endpoint is off", () => {
    const hook = {
      id: "wh_1",
      url: "https://x",
      events: [],
      enabled: false,
      disabledReason: "gone",
      createdAt: "",
    };
    expect(webhookState(hook)).toBe("Disabled: the receiver answered 410 Gone");
    expect(webhookState({ ...hook, enabled: true, disabledReason: null })).toBe("Enabled");
  });
});
