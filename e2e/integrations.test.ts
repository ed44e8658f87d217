/**
 * Integrators on the real stack (ADR 0025): a server creates an upload, PUTs the part
 * straight to storage, completes, polls and fetches a signed playback URL with nothing but
 * an API key (plain fetch, no browser); webhooks reach a local node:http receiver that
 * fails twice then succeeds (three attempts, growing gaps, then delivered), a 410 stops the
 * retries and switches its endpoint off, every signature is checked here with node:crypto,
 * and the delivery log shows the attempts. Then /account is screenshotted and checked by axe.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import { expectAccessible, shootThemes } from "./axe.ts";
import { api, CHROMIUM, CHROMIUM_ARGS, signUpViaApi, startE2EStack, toolsAvailable } from "./support.ts";

const ready = toolsAvailable("e2e integrations", { ffmpeg: true, chromium: true });

interface Received {
  at: number;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What a receiver does, written independently of the edge's code: HMAC-SHA256 over `t.body`, 5 min window. */
function verifySignature(secret: string, header: string, body: string, nowSec = Date.now() / 1000): boolean {
  const fields = Object.fromEntries(header.split(",").map((kv) => kv.split("=") as [string, string]));
  const t = Number(fields.t);
  if (!Number.isFinite(t) || Math.abs(nowSec - t) > 300 || !fields.v1) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(fields.v1, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `/flaky` answers 500 twice then 200; `/gone` always 410; anything else 200. */
function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  let flaky = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? "/";
    received.push({
      at: Date.now(),
      path,
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    });
    const status = path === "/gone" ? 410 : path === "/flaky" ? (++flaky <= 2 ? 500 : 200) : 200;
    res.writeHead(status, { "content-type": "text/plain" }).end(String(status));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received }),
    ),
  );
}

describe.skipIf(!ready)("integrations: API keys and webhooks (real stack)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let account: Awaited<ReturnType<typeof signUpViaApi>>;
  let source: string;
  let key: string;
  const hooks: Record<"flaky" | "gone" | "ready", { id: string; secret: string }> = {} as never;
  let browser: Browser | undefined;

  beforeAll(async () => {
    [stack, receiver, { "clip-640x360-2s.mp4": source }] = await Promise.all([
      startE2EStack({
        // Development rules: the local receiver is on loopback; retries 1 s, 2 s, … so the test takes seconds.
        edgeVars: { WEBHOOK_ALLOW_HOSTS: "127.0.0.1", WEBHOOK_RETRY_BASE_SECONDS: "1" },
      }),
      startReceiver(),
      ensureFixtures(["clip-640x360-2s.mp4"]),
    ]);
    account = await signUpViaApi(stack.origin, "integrator");
    // The one step that needs a signed-in session: making the key.
    const created = await api<{ key: string }>(stack.origin, "/api/me/api-keys", {
      method: "POST",
      token: account.token,
      json: { name: "build server", scopes: ["uploads", "videos:read", "webhooks"] },
    });
    expect(created.status).toBe(201);
    key = created.body.key;
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    receiver?.server.close();
  });

  const withKey = <T>(path: string, init: RequestInit & { json?: unknown } = {}) =>
    api<T>(stack.origin, path, { ...init, token: key });

  it("a server uploads, completes, polls and gets a signed playback URL with only an API key", async () => {
    for (const [name, events] of [
      ["flaky", ["upload.completed"]],
      ["gone", ["upload.completed"]],
      ["ready", ["video.playable", "video.ready"]],
    ] as const) {
      const res = await withKey<{ webhook: { id: string }; secret: string }>("/api/me/webhooks", {
        method: "POST",
        json: { url: `${receiver.url}/${name}`, events },
      });
      expect(res.status).toBe(201);
      hooks[name] = { id: res.body.webhook.id, secret: res.body.secret };
    }

    const size = statSync(source).size;
    const upload = await withKey<{ videoId: string; parts: { partNumber: number; url: string }[] }>(
      "/api/uploads",
      {
        method: "POST",
        json: { filename: "clip.mp4", size, contentType: "video/mp4", title: "From the build server" },
      },
    );
    expect(upload.status).toBe(201);
    const { videoId, parts } = upload.body;
    expect(parts).toHaveLength(1);
    const put = await fetch(parts[0]!.url, { method: "PUT", body: readFileSync(source) });
    expect(put.status).toBe(200);
    const etag = put.headers.get("etag")!;
    const recorded = await withKey(`/api/uploads/${videoId}/parts/1`, {
      method: "PUT",
      json: { etag, size },
    });
    expect(recorded.status).toBe(204);
    const complete = await withKey<{ status: string }>(`/api/uploads/${videoId}/complete`, {
      method: "POST",
    });
    expect(complete.status).toBe(202);

    await expect
      .poll(async () => (await withKey<{ status: string }>(`/api/videos/${videoId}`)).body.status, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe("ready");
    const playlist = await fetch(`${stack.origin}/api/videos/${videoId}/playlist.m3u8`, {
      headers: { authorization: `Bearer ${key}` },
      redirect: "manual",
    });
    expect(playlist.status).toBe(302);
    const master = await fetch(new URL(playlist.headers.get("location")!, stack.origin));
    expect(master.status).toBe(200);
    expect(await master.text()).toContain("#EXTM3U");

    // The same key may not do what its scopes do not cover.
    const refused = await withKey<{ error: { code: string } }>(`/api/videos/${videoId}`, {
      method: "DELETE",
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("insufficient_scope");

    // video.playable and video.ready reach their endpoint, signed.
    await expect
      .poll(() => receiver.received.filter((r) => r.path === "/ready").map((r) => JSON.parse(r.body).type), {
        timeout: 20_000,
      })
      .toEqual(expect.arrayContaining(["video.playable", "video.ready"]));
    for (const r of receiver.received.filter((x) => x.path === "/ready")) {
      expect(verifySignature(hooks.ready.secret, String(r.headers["streamline-signature"]), r.body)).toBe(
        true,
      );
      expect(JSON.parse(r.body).data.video.id).toBe(videoId);
    }
  });

  it("a receiver failing twice gets three attempts with growing gaps, then the delivery is logged delivered", async () => {
    const flakyHits = () => receiver.received.filter((r) => r.path === "/flaky");
    await expect.poll(() => flakyHits().length, { timeout: 30_000, interval: 200 }).toBe(3);
    const attempts = flakyHits();
    const [a, b, c] = attempts as [Received, Received, Received];
    const gaps = [b.at - a.at, c.at - b.at];
    console.log(`webhook retry gaps: ${gaps.join(" ms, ")} ms`);
    expect(gaps[0]).toBeGreaterThanOrEqual(900);
    expect(gaps[1]).toBeGreaterThan(gaps[0]!);
    const ids = new Set(attempts.map((r) => r.headers["streamline-event-id"]));
    expect(ids.size).toBe(1); // the idempotency key stays the same
    for (const r of attempts) {
      expect(verifySignature(hooks.flaky.secret, String(r.headers["streamline-signature"]), r.body)).toBe(
        true,
      );
      expect(verifySignature(hooks.gone.secret, String(r.headers["streamline-signature"]), r.body)).toBe(
        false,
      );
      const event = JSON.parse(r.body);
      expect(event).toMatchObject({ type: "upload.completed", id: [...ids][0] });
      expect(event.data.video.title).toBe("From the build server");
    }
    const deliveries = async () =>
      (await withKey<{ deliveries: { status: string }[] }>(`/api/me/webhooks/${hooks.flaky.id}/deliveries`))
        .body.deliveries;
    await expect.poll(async () => (await deliveries())[0]?.status, { timeout: 10_000 }).toBe("delivered");
    expect(await deliveries()).toEqual([
      expect.objectContaining({
        attempt: 3,
        responseCode: 200,
        attempts: [
          expect.objectContaining({ attempt: 1, outcome: "retry", responseCode: 500 }),
          expect.objectContaining({ attempt: 2, outcome: "retry", responseCode: 500 }),
          expect.objectContaining({ attempt: 3, outcome: "delivered", responseCode: 200 }),
        ],
      }),
    ]);
  });

  it("410 stops the retries and switches the endpoint off", async () => {
    // By now the flaky endpoint's third attempt (≥ 3 s after the first) has landed: a retry of /gone would have too.
    expect(receiver.received.filter((r) => r.path === "/gone")).toHaveLength(1);
    const list = await withKey<{
      webhooks: { id: string; enabled: boolean; disabledReason: string | null }[];
    }>("/api/me/webhooks");
    expect(list.body.webhooks.find((w) => w.id === hooks.gone.id)).toMatchObject({
      enabled: false,
      disabledReason: "gone",
    });
    const log = await withKey<{ deliveries: { status: string; attempts: unknown[] }[] }>(
      `/api/me/webhooks/${hooks.gone.id}/deliveries`,
    );
    expect(log.body.deliveries).toEqual([
      expect.objectContaining({
        status: "failed",
        responseCode: 410,
        attempts: [expect.objectContaining({ outcome: "gone" })],
      }),
    ]);
  });

  it("/account shows API keys (new key shown once) and webhooks with their delivery log", async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    // Signed in the way the login page leaves a browser: the refresh cookie from /api/auth/login
    // (the login form itself is covered by e2e/auth.test.ts).
    const login = await fetch(`${stack.origin}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: stack.origin },
      body: JSON.stringify({ email: account.email, password: account.password }),
    });
    expect(login.status).toBe(200);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies(
      login.headers.getSetCookie().map((line) => {
        const [pair] = line.split(";");
        const at = pair!.indexOf("=");
        return { name: pair!.slice(0, at), value: pair!.slice(at + 1), url: stack.origin };
      }),
    );
    // …and the "may be signed in" hint the login page leaves in localStorage (site lib/auth-session.ts).
    await context.addInitScript(() => {
      localStorage.setItem("streamline:signed-in-until", String(Date.now() + 3_600_000));
    });
    const page: Page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(m.text());
    });
    await page.goto(`${stack.origin}/account`);
    await page
      .waitForSelector('[data-testid=api-keys][data-state="ready"]', { timeout: 20_000 })
      .catch((err: Error) => {
        throw new Error(`${err.message}\nat ${page.url()}; page errors: ${pageErrors.join(" | ") || "none"}`);
      });
    await page.waitForSelector('[data-testid=webhooks][data-state="ready"]');
    expect(await page.locator("[data-testid=api-key]").count()).toBe(1);

    await page.fill("[data-testid=api-key-name]", "analytics export");
    await page.check("[data-testid='api-key-scope-analytics:read']");
    await page.click("[data-testid=create-api-key]");
    await page.waitForSelector("[data-testid=api-key-secret]:not([hidden])");
    const shown = await page.locator("[data-testid=api-key-value]").inputValue();
    expect(shown).toMatch(/^sl_[A-Za-z0-9_-]{43}$/);
    expect(await page.locator("[data-testid=api-key]").count()).toBe(2);

    const flaky = page.locator(`[data-webhook-id="${hooks.flaky.id}"]`);
    await flaky.locator("[data-testid=show-deliveries]").click();
    await expect
      .poll(() => flaky.locator("[data-testid=webhook-delivery]").getAttribute("data-attempts"))
      .toBe("3");
    await expect
      .poll(() =>
        page.locator(`[data-webhook-id="${hooks.gone.id}"] [data-testid=webhook-state]`).textContent(),
      )
      .toContain("410");

    await expectAccessible(page, "account (integrations)");
    const shots = await shootThemes(page, "account-integrations");
    expect(shots).toHaveLength(4);
    await page.evaluate(() => {
      document.documentElement.dataset.theme = "light";
    });
    await expectAccessible(page, "account (integrations, light)");

    // Revoking in the page: the key stops working at once.
    const row = page.locator("[data-testid=api-key]", { hasText: "analytics export" });
    await row.locator("[data-testid=revoke-api-key]").click();
    await expect.poll(() => page.locator("[data-testid=api-key]").count()).toBe(1);
    const after = await api(stack.origin, "/api/me/analytics", { token: shown });
    expect(after.status).toBe(401);
  });
});
