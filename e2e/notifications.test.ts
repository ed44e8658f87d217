/**
 * Subscriptions, the feed and live notifications on the real stack in Chromium (ADR 0017):
 * B subscribes to A on /c/:handle; A uploads through the real fleet; B's bell shows the new
 * video live, without a reload; B comments and A replies (through the API) and B's bell
 * shows the reply live; the mails for both go out over SMTP to the sink; /feed lists A's
 * video; the watch page shows the channel as subscribed; /account lists the subscription. Screenshots of /c/:handle (subscribe button),
 * the bell's dropdown and /feed at 375/1280 px.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import {
  api,
  openChromium,
  screenshotWidths,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
  uploadFile,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e notifications", { ffmpeg: true, chromium: true });

type Account = Awaited<ReturnType<typeof signUpViaApi>>;

describe.skipIf(!ready)("subscriptions, feed and live notifications (real stack + Chromium)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let page: Page;
  let source: string;
  let a: Account;
  let b: Account;
  let videoId: string;
  let pageErrors: string[] = [];

  async function mailsTo(account: Account): Promise<{ subject: string; text: string }[]> {
    const res = await fetch(`${stack.mailSinkUrl}/mails?to=${encodeURIComponent(account.email)}`);
    return ((await res.json()) as { mails: { subject: string; text: string }[] }).mails;
  }

  async function verifyByMail(account: Account): Promise<void> {
    const token = await vi.waitFor(
      async () => {
        const found = (await mailsTo(account))
          .map((m) => /verify-email\?token=([A-Za-z0-9_-]{43})/.exec(m.text))
          .find(Boolean);
        if (!found) throw new Error(`no verification mail to ${account.email} yet`);
        return found[1]!;
      },
      { timeout: 20_000, interval: 200 },
    );
    expect(
      (await api(stack.origin, "/api/auth/email/verify", { method: "POST", json: { token } })).status,
    ).toBe(200);
  }

  const badge = () => page.locator("[data-testid=bell-badge]");

  beforeAll(async () => {
    [stack, { "clip-640x360-2s.mp4": source }] = await Promise.all([
      startE2EStack({ mailSink: {} }),
      ensureFixtures(["clip-640x360-2s.mp4"]),
    ]);
    [a, b] = await Promise.all([signUpViaApi(stack.origin, "creator"), signUpViaApi(stack.origin, "fan")]);
    await Promise.all([verifyByMail(a), verifyByMail(b)]);
    ({ browser, page, pageErrors } = await openChromium());
    await page.goto(`${stack.origin}/login`);
    await page.fill("[data-testid=login-email]", b.email);
    await page.fill("[data-testid=login-password]", b.password);
    await Promise.all([page.waitForURL(`${stack.origin}/`), page.click("[data-testid=login-submit]")]);
    await page.waitForSelector("[data-testid=auth-nav][data-state=signed-in]", { timeout: 15_000 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("B subscribes to A on /c/:handle; the count follows, and repeating changes nothing", async () => {
    await page.goto(`${stack.origin}/c/${a.handle}`);
    const button = page.locator("[data-testid=subscribe-button]");
    await page.waitForSelector("[data-testid=subscribe][data-state=not-subscribed]", { timeout: 15_000 });
    expect(await page.textContent("[data-testid=channel-subscribers]")).toBe("0 subscribers");
    await button.click();
    await page.waitForSelector("[data-testid=subscribe][data-state=subscribed]");
    expect(await button.textContent()).toBe("Subscribed");
    expect(await page.textContent("[data-testid=channel-subscribers]")).toBe("1 subscriber");
    const again = await api<{ subscriberCount: number }>(
      stack.origin,
      `/api/channels/${a.handle}/subscription`,
      {
        method: "PUT",
        token: b.token,
      },
    );
    expect(again.body.subscriberCount).toBe(1);
    await page.reload();
    await page.waitForSelector("[data-testid=subscribe][data-state=subscribed]", { timeout: 15_000 });
    await screenshotWidths(page, "channel-subscribe");
  });

  it("A uploads; B's bell shows the new video live, without a reload", async () => {
    await page.goto(`${stack.origin}/`);
    await page.waitForSelector("[data-testid=bell]", { state: "visible", timeout: 15_000 });
    expect(await badge().isHidden()).toBe(true);
    ({ videoId } = await uploadFile(stack.origin, source, { title: "Harbour at dawn", token: a.token }));
    await waitForVideo<{ status: string }>(
      stack.origin,
      videoId,
      (v) => v.status === "ready",
      180_000,
      a.token,
    );
    await expect.poll(() => badge().textContent(), { timeout: 30_000 }).toBe("1");
    await page.click("[data-testid=bell-button]");
    const item = page.locator("[data-testid=bell-item][data-type=new_video]");
    await item.waitFor({ timeout: 5_000 });
    expect(await item.textContent()).toContain("Harbour at dawn");
    expect(await item.locator("a").getAttribute("href")).toBe(`/watch/${videoId}`);
    await screenshotWidths(page, "notifications-bell");
  });

  it("B comments, A replies: B's bell shows the reply live; the mails went out over SMTP", async () => {
    const comment = await api<{ id: string }>(stack.origin, `/api/videos/${videoId}/comments`, {
      method: "POST",
      json: { text: "Lovely light on the water" },
      token: b.token,
    });
    expect(comment.status).toBe(201);
    const reply = await api(stack.origin, `/api/videos/${videoId}/comments`, {
      method: "POST",
      json: { text: "Thank you, 5 am was worth it", parentId: comment.body.id },
      token: a.token,
    });
    expect(reply.status).toBe(201);
    await expect.poll(() => badge().textContent(), { timeout: 30_000 }).toBe("2");
    const item = page.locator("[data-testid=bell-item][data-type=comment_reply]");
    await item.waitFor({ timeout: 5_000 });
    expect(await item.textContent()).toContain("5 am was worth it");
    const owner = await api<{ notifications: { type: string }[] }>(stack.origin, "/api/notifications", {
      token: a.token,
    });
    expect(owner.body.notifications.map((n) => n.type)).toEqual(
      expect.arrayContaining(["video_ready", "video_comment"]),
    );
    await vi.waitFor(
      async () => {
        const subjects = (await mailsTo(b)).map((m) => m.subject);
        expect(subjects).toEqual(
          expect.arrayContaining([
            expect.stringContaining("Harbour at dawn"),
            expect.stringContaining("replied"),
          ]),
        );
      },
      { timeout: 20_000, interval: 300 },
    );
  });

  it("mark all read clears the badge; the count stays cleared after a reload", async () => {
    await page.click("[data-testid=bell-read-all]");
    await expect.poll(() => badge().isHidden(), { timeout: 5_000 }).toBe(true);
    await page.reload();
    await page.waitForSelector("[data-testid=bell]", { state: "visible", timeout: 15_000 });
    await page.waitForSelector("[data-testid=bell][data-unread='0']");
    expect(await badge().isHidden()).toBe(true);
  });

  it("/feed lists A's video; /account lists the subscription", async () => {
    await page.goto(`${stack.origin}/feed`);
    await page.waitForSelector("[data-testid=feed][data-state=ready]", { timeout: 15_000 });
    const cards = page.locator("[data-testid=feed-grid] [data-testid=video-card]");
    expect(await cards.count()).toBe(1);
    expect(await cards.first().getAttribute("href")).toBe(`/watch/${videoId}`);
    await screenshotWidths(page, "feed");
    // The watch page's channel row carries the same button, already "Subscribed".
    await page.goto(`${stack.origin}/watch/${videoId}`);
    await page.waitForSelector("[data-testid=subscribe][data-state=subscribed]", { timeout: 15_000 });
    expect(await page.textContent("[data-testid=subscriber-count]")).toBe("1 subscriber");
    await page.goto(`${stack.origin}/account`);
    const row = page.locator(`[data-testid=subscription][data-handle="${a.handle}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain("1 subscriber");
    expect(pageErrors).toEqual([]);
  });
});
