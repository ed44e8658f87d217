import { env } from "cloudflare:workers";
import { createHmac } from "node:crypto";
import type {
  CreatedWebhookResponse,
  WebhookDeliveriesResponse,
  WebhookEvent,
  WebhookJob,
} from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { bearer, callJson, signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { waitFor } from "../../../test/http.ts";
import { database } from "../../db/client.ts";
import { type DeliveryDeps, deliver, retryDelaySeconds } from "./delivery.ts";
import { buildEvent, type WebhookQueue } from "./emit.ts";
import { open } from "./secret-box.ts";
import { signWebhook, verifyWebhook } from "./signature.ts";
import { fanOutEvent } from "./webhooks.consumer.ts";
import { WebhooksRepo } from "./webhooks.repo.ts";
import { WebhooksService } from "./webhooks.service.ts";

type Err = { error: { code: string; message: string } };
const SECRET = env.JWT_SECRET as string;

/** The signature as a receiver in Node would check it: node:crypto, not the edge's WebCrypto code. */
function nodeSignature(secret: string, t: number, body: string) {
  return createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
}

interface Sent {
  job: WebhookJob;
  delaySeconds: number | undefined;
}

function recordingQueue(): WebhookQueue & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    send: async (job, options) => {
      sent.push({ job, delaySeconds: options?.delaySeconds });
    },
  };
}

interface Seen {
  url: string;
  headers: Headers;
  body: string;
}

/** A receiver scripted by URL path: each call takes the next response. */
function scriptedFetch(script: Record<string, (() => Response)[]>) {
  const seen: Seen[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    seen.push({ url: url.toString(), headers: new Headers(init?.headers), body: String(init?.body) });
    const next = script[url.pathname]?.shift();
    if (!next) throw new Error(`nothing scripted for ${url.pathname}`);
    return next();
  }) as typeof fetch;
  return { fetcher, seen };
}

const status =
  (code: number, headers: Record<string, string> = {}) =>
  () =>
    new Response(code === 204 ? null : "x", { status: code, headers });

const guard = { allowHosts: ["hooks.test", "other.test"], resolve: async () => [] as string[] };

async function setup(owner: TestUser, url: string, events: WebhookEvent["type"][] = ["video.ready"]) {
  const queue = recordingQueue();
  const repo = new WebhooksRepo(database(env.DB));
  const service = new WebhooksService({ repo, queue, masterSecret: SECRET, guard, retryHours: 24 });
  const created = await service.create(owner.id, { url, events });
  return { queue, repo, service, created };
}

function depsWith(
  repo: WebhooksRepo,
  queue: WebhookQueue,
  fetcher: typeof fetch,
  now = Date.now(),
): DeliveryDeps {
  return { repo, queue, masterSecret: SECRET, guard, retryBaseSeconds: 1, fetch: fetcher, now: () => now };
}

const VIDEO = {
  id: "v_test000000000001",
  title: "A clip",
  status: "ready" as const,
  playable: true,
  visibility: "public" as const,
  durationSec: 10,
  width: 1280,
  height: 720,
  failureReason: null,
};

async function oneDelivery(owner: TestUser, url: string) {
  const ctx = await setup(owner, url);
  const event = buildEvent("video.ready", { video: VIDEO });
  const [deliveryId] = await fanOutEvent(depsWith(ctx.repo, ctx.queue, fetch), owner.id, event, 24);
  ctx.queue.sent.length = 0;
  return { ...ctx, event, deliveryId: deliveryId! };
}

describe("webhook signatures", () => {
  it("t=<unix>,v1=<hex HMAC-SHA256(secret, t.body)>, as node:crypto computes it", async () => {
    const body = JSON.stringify({ id: "evt_1", type: "video.ready" });
    const header = await signWebhook("whsec_test", body, 1_765_000_000);
    expect(header).toBe(`t=1765000000,v1=${nodeSignature("whsec_test", 1_765_000_000, body)}`);
  });

  it("a receiver refuses a tampered body, a wrong secret and a stale timestamp", async () => {
    const body = '{"a":1}';
    const now = 1_765_000_000;
    const header = await signWebhook("whsec_a", body, now);
    expect(await verifyWebhook("whsec_a", body, header, now + 10)).toBe(true);
    expect(await verifyWebhook("whsec_a", '{"a":2}', header, now)).toBe(false);
    expect(await verifyWebhook("whsec_b", body, header, now)).toBe(false);
    expect(await verifyWebhook("whsec_a", body, header, now + 301)).toBe(false);
    expect(await verifyWebhook("whsec_a", body, null, now)).toBe(false);
  });
});

describe("webhook endpoints over the API", () => {
  it("registers a public target: the secret is shown once and sealed at rest", async () => {
    const owner = await signUp();
    const res = await callJson<CreatedWebhookResponse>("/api/me/webhooks", {
      method: "POST",
      json: {
        url: "https://93.184.215.14/hooks",
        events: ["video.ready", "video.ready", "upload.completed"],
      },
      headers: owner.auth,
    });
    expect(res.status).toBe(201);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(res.body.webhook.events).toEqual(["video.ready", "upload.completed"]);
    const row = await env.DB.prepare("select secret_sealed from webhook_endpoints where id = ?")
      .bind(res.body.webhook.id)
      .first<{ secret_sealed: string }>();
    expect(row!.secret_sealed).not.toContain(res.body.secret.slice(6));
    expect(await open(SECRET, row!.secret_sealed)).toBe(res.body.secret);
    const list = await callJson<{ webhooks: unknown[] }>("/api/me/webhooks", { headers: owner.auth });
    expect(JSON.stringify(list.body)).not.toContain(res.body.secret);
  });

  it.each([
    "http://127.0.0.1:9999/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/",
    "http://10.0.0.8/",
    "http://100.64.0.9/",
    "http://[::1]/",
    "https://localhost/hook",
  ])("refuses %s at registration (production rules: no allow-list)", async (url) => {
    const owner = await signUp();
    const res = await callJson<Err>("/api/me/webhooks", {
      method: "POST",
      json: { url, events: ["video.ready"] },
      headers: owner.auth,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("webhook_url_refused");
  });

  it("refuses non-http(s) URLs as invalid input", async () => {
    const owner = await signUp();
    const res = await callJson<Err>("/api/me/webhooks", {
      method: "POST",
      json: { url: "ftp://example.com/x", events: ["video.ready"] },
      headers: owner.auth,
    });
    expect(res.status).toBe(400);
  });

  it("another user sees 404 for my endpoint and its log; an API key needs the webhooks scope", async () => {
    const owner = await signUp();
    const other = await signUp();
    const { created } = await setup(owner, "https://hooks.test/a");
    const id = created.webhook.id;
    expect((await callJson(`/api/me/webhooks/${id}/deliveries`, { headers: other.auth })).status).toBe(404);
    expect((await callJson(`/api/me/webhooks/${id}`, { method: "DELETE", headers: other.auth })).status).toBe(
      404,
    );
    const keyOf = async (scopes: string[]) =>
      (
        await callJson<{ key: string }>("/api/me/api-keys", {
          method: "POST",
          json: { name: "k", scopes },
          headers: owner.auth,
        })
      ).body.key;
    const readKey = await keyOf(["videos:read"]);
    expect((await callJson("/api/me/webhooks", { headers: bearer(readKey) })).status).toBe(403);
    const hooksKey = await keyOf(["webhooks"]);
    const listed = await callJson<{ webhooks: { id: string }[] }>("/api/me/webhooks", {
      headers: bearer(hooksKey),
    });
    expect(listed.status).toBe(200);
    expect(listed.body.webhooks.map((w) => w.id)).toEqual([id]);
  });
});

describe("fan-out", () => {
  it("creates one delivery per enabled endpoint that subscribed, once per event", async () => {
    const owner = await signUp();
    const a = await setup(owner, "https://hooks.test/a", ["video.ready"]);
    await a.service.create(owner.id, { url: "https://hooks.test/b", events: ["video.failed"] });
    const c = await a.service.create(owner.id, { url: "https://hooks.test/c", events: ["video.ready"] });
    await a.service.update(owner.id, c.webhook.id, { enabled: false });
    const deps = depsWith(a.repo, a.queue, fetch);
    const event = buildEvent("video.ready", { video: VIDEO });
    const first = await fanOutEvent(deps, owner.id, event, 24);
    expect(first).toHaveLength(1);
    expect(await fanOutEvent(deps, owner.id, event, 24)).toEqual([]);
    expect(a.queue.sent.map((s) => s.job)).toEqual([{ type: "deliver", deliveryId: first[0], attempt: 1 }]);
  });
});

describe("delivery", () => {
  it("retries 5xx and 429 with growing delays, then delivers; every attempt is logged and signed", async () => {
    const owner = await signUp();
    const { repo, queue, deliveryId, created, event } = await oneDelivery(owner, "https://hooks.test/flaky");
    const { fetcher, seen } = scriptedFetch({ "/flaky": [status(500), status(429), status(204)] });
    const deps = depsWith(repo, queue, fetcher);
    expect(await deliver(deps, deliveryId, 1)).toBe("retry");
    expect(await deliver(deps, deliveryId, 1)).toBe("skipped"); // a duplicate message
    expect(await deliver(deps, deliveryId, 2)).toBe("retry");
    expect(await deliver(deps, deliveryId, 3)).toBe("delivered");
    expect(queue.sent).toEqual([
      { job: { type: "deliver", deliveryId, attempt: 2 }, delaySeconds: 1 },
      { job: { type: "deliver", deliveryId, attempt: 3 }, delaySeconds: 2 },
    ]);
    for (const request of seen) {
      expect(request.headers.get("streamline-event-id")).toBe(event.id);
      const [t, v1] = request.headers
        .get("streamline-signature")!
        .split(",")
        .map((kv) => kv.split("=")[1]!);
      expect(v1).toBe(nodeSignature(created.secret, Number(t), request.body));
      expect(JSON.parse(request.body)).toEqual(event);
    }
    const log = await callJson<WebhookDeliveriesResponse>(
      `/api/me/webhooks/${created.webhook.id}/deliveries`,
      {
        headers: owner.auth,
      },
    );
    const [d] = log.body.deliveries;
    expect(d).toMatchObject({ id: deliveryId, status: "delivered", attempt: 3, responseCode: 204 });
    expect(d!.attempts.map((a) => [a.attempt, a.outcome, a.responseCode])).toEqual([
      [1, "retry", 500],
      [2, "retry", 429],
      [3, "delivered", 204],
    ]);
  });

  it("410 stops retries and switches the endpoint off; other 4xx fail without retry", async () => {
    const owner = await signUp();
    const gone = await oneDelivery(owner, "https://hooks.test/gone");
    const { fetcher } = scriptedFetch({ "/gone": [status(410)], "/bad": [status(400)] });
    expect(await deliver(depsWith(gone.repo, gone.queue, fetcher), gone.deliveryId, 1)).toBe("gone");
    expect(gone.queue.sent).toEqual([]);
    const [endpoint] = await gone.service.list(owner.id);
    expect(endpoint).toMatchObject({ enabled: false, disabledReason: "gone" });

    const owner2 = await signUp();
    const bad = await oneDelivery(owner2, "https://hooks.test/bad");
    expect(await deliver(depsWith(bad.repo, bad.queue, fetcher), bad.deliveryId, 1)).toBe("failed");
    expect(bad.queue.sent).toEqual([]);
    expect((await bad.repo.findDelivery(bad.deliveryId))!.delivery.status).toBe("failed");
  });

  it("re-checks every redirect hop: a hop to a private address is refused, a public one followed", async () => {
    const owner = await signUp();
    const ssrf = await oneDelivery(owner, "https://hooks.test/redirect-private");
    const { fetcher, seen } = scriptedFetch({
      "/redirect-private": [status(307, { location: "http://169.254.169.254/latest/meta-data/" })],
      "/redirect-ok": [status(308, { location: "https://other.test/final" })],
      "/final": [status(200)],
    });
    expect(await deliver(depsWith(ssrf.repo, ssrf.queue, fetcher), ssrf.deliveryId, 1)).toBe("refused");
    expect(seen.map((s) => s.url)).toEqual(["https://hooks.test/redirect-private"]);
    expect((await ssrf.repo.findDelivery(ssrf.deliveryId))!.delivery.lastError).toContain("non-public");

    const owner2 = await signUp();
    const ok = await oneDelivery(owner2, "https://hooks.test/redirect-ok");
    expect(await deliver(depsWith(ok.repo, ok.queue, fetcher), ok.deliveryId, 1)).toBe("delivered");
    expect(seen.map((s) => s.url).slice(1)).toEqual([
      "https://hooks.test/redirect-ok",
      "https://other.test/final",
    ]);
  });

  it("a connection error is retried; past the 24 h window it fails for good", async () => {
    const owner = await signUp();
    const { repo, queue, deliveryId } = await oneDelivery(owner, "https://hooks.test/down");
    const { fetcher } = scriptedFetch({});
    const late = Date.now() + 24 * 3600_000;
    expect(await deliver(depsWith(repo, queue, fetcher, late), deliveryId, 1)).toBe("retry");
    expect(queue.sent).toEqual([]);
    const { delivery } = (await repo.findDelivery(deliveryId))!;
    expect(delivery.status).toBe("failed");
    expect(delivery.lastError).toContain("retry window over");
  });

  it("redelivery sends the same event again as the next attempt", async () => {
    const owner = await signUp();
    const { repo, queue, deliveryId, created } = await oneDelivery(owner, "https://hooks.test/again");
    const { fetcher } = scriptedFetch({ "/again": [status(200)] });
    await deliver(depsWith(repo, queue, fetcher), deliveryId, 1);
    const path = `/api/me/webhooks/${created.webhook.id}/deliveries/${deliveryId}/redeliver`;
    const res = await callJson(path, { method: "POST", headers: owner.auth });
    expect(res.status).toBe(202);
    const other = await signUp();
    expect((await callJson(path, { method: "POST", headers: other.auth })).status).toBe(404);
  });

  it("backs off exponentially up to 6 h", () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(60, n))).toEqual([60, 120, 240, 480]);
    expect(retryDelaySeconds(60, 20)).toBe(6 * 3600);
  });
});

describe("emitted where things happen", () => {
  it("caption.ready and video.deleted reach the queue, the consumer and the delivery log", async () => {
    const owner = await signUp();
    const res = await callJson<CreatedWebhookResponse>("/api/me/webhooks", {
      method: "POST",
      json: { url: "https://93.184.215.14/hooks", events: ["caption.ready", "video.deleted"] },
      headers: owner.auth,
    });
    const video = await insertVideo({ ownerId: owner.id, status: "ready", playable: true });
    const put = await callJson(`/api/videos/${video.id}/captions/en?label=English`, {
      method: "PUT",
      body: "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n",
      headers: { ...owner.auth, "content-type": "text/vtt" },
    });
    expect(put.status).toBe(201);
    expect(
      (await callJson(`/api/videos/${video.id}`, { method: "DELETE", headers: owner.auth })).status,
    ).toBe(204);
    const rows = await waitFor(async () => {
      const { results } = await env.DB.prepare(
        "select event_type, payload from webhook_deliveries where endpoint_id = ? order by created_at",
      )
        .bind(res.body.webhook.id)
        .all<{ event_type: string; payload: string }>();
      return results.length === 2 ? results : null;
    });
    expect(rows.map((r) => r.event_type).sort()).toEqual(["caption.ready", "video.deleted"]);
    const caption = JSON.parse(rows.find((r) => r.event_type === "caption.ready")!.payload) as WebhookEvent;
    expect(caption.data).toMatchObject({
      video: { id: video.id },
      caption: { lang: "en", label: "English" },
    });
    expect(caption.id).toMatch(/^evt_/);
  });
});
