/**
 * Comments and reactions on the real stack in Chromium, one stack for the file: two accounts
 * verify their addresses through the mailed links (caught by the real SMTP sink); A uploads;
 * B likes the video and comments on the watch page, a comment with one of A's blocked words is
 * held (B sees it marked, a signed-out visitor does not); A replies in the thread, then
 * approves the held comment from the studio. Counts follow on the page and in the API.
 * Screenshots: the watch page's comments at 375/1280, and the studio's held list.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import {
  api,
  CHROMIUM,
  CHROMIUM_ARGS,
  screenshotWidths,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
  uploadFile,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e comments", { ffmpeg: true, chromium: true });

type Account = Awaited<ReturnType<typeof signUpViaApi>>;
type Video = {
  id: string;
  playable: boolean;
  likeCount: number;
  dislikeCount?: number;
  commentCount: number;
};

describe.skipIf(!ready)("comments and likes in Chromium (real stack, real SMTP)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let a: Account;
  let b: Account;
  let videoId: string;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  /** Opens the verification link's token from the sink against the API, as the /verify-email page does. */
  async function verifyByMail(account: Account): Promise<void> {
    const token = await vi.waitFor(
      async () => {
        const res = await fetch(`${stack.mailSinkUrl}/mails?to=${encodeURIComponent(account.email)}`);
        const { mails } = (await res.json()) as { mails: { text: string }[] };
        const found = mails.map((m) => /verify-email\?token=([A-Za-z0-9_-]{43})/.exec(m.text)).find(Boolean);
        if (!found) throw new Error(`no verification mail to ${account.email} yet`);
        return found[1]!;
      },
      { timeout: 20_000, interval: 200 },
    );
    const res = await api(stack.origin, "/api/auth/email/verify", { method: "POST", json: { token } });
    expect(res.status).toBe(200);
  }

  async function signedInPage(account: Account): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") console.log(`[${account.handle}] console: ${m.text()}`);
    });
    page.on("response", (r) => {
      if (r.url().includes("/api/") && r.status() >= 400)
        console.log(`[${account.handle}] ${r.status()} ${r.url()}`);
    });
    await page.goto(`${stack.origin}/login`);
    await page.fill("[data-testid=login-email]", account.email);
    await page.fill("[data-testid=login-password]", account.password);
    await Promise.all([page.waitForURL(`${stack.origin}/`), page.click("[data-testid=login-submit]")]);
    await page.waitForSelector("[data-testid=auth-nav][data-state=signed-in]", { timeout: 15_000 });
    return page;
  }

  const videoAs = async (account: Account | null) =>
    (await api<Video>(stack.origin, `/api/videos/${videoId}`, account ? { token: account.token } : {})).body;

  /** The top-level comment (or, for a reply's text, the reply) whose text contains `text`. */
  const commentByText = (page: Page, text: string) =>
    page
      .locator("[data-testid=comment]")
      .filter({ has: page.locator("[data-testid=comment-text]", { hasText: text }) });

  beforeAll(async () => {
    let source: string;
    [stack, { "sd-854x480-4s.mp4": source }] = await Promise.all([
      startE2EStack({ mailSink: {} }),
      ensureFixtures(["sd-854x480-4s.mp4"]),
    ]);
    [a, b] = await Promise.all([signUpViaApi(stack.origin, "creator"), signUpViaApi(stack.origin, "viewer")]);
    await Promise.all([verifyByMail(a), verifyByMail(b)]);
    ({ videoId } = await uploadFile(stack.origin, source, { title: "Harbour at dawn", token: a.token }));
    await waitForVideo<Video>(stack.origin, videoId, (v) => v.playable, 180_000, a.token);
    const words = await api(stack.origin, "/api/me/channel/blocked-words", {
      method: "PUT",
      json: { words: ["spoiler"] },
      token: a.token,
    });
    expect(words.status).toBe(200);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await stack?.stop();
  });

  it("a signed-out visitor sees the like count and a sign-in prompt instead of the composer", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${stack.origin}/watch/${videoId}`);
    await page.waitForSelector("[data-testid=comments][data-state=ready]", { timeout: 20_000 });
    expect(await page.isVisible("[data-testid=comments-sign-in]")).toBe(true);
    expect(await page.isVisible("[data-testid=comment-composer]")).toBe(false);
    expect(await page.textContent("[data-testid=like-count]")).toBe("0");
    expect(await page.isVisible("[data-testid=dislike-count]")).toBe(false);
    expect(await page.isVisible("[data-testid=comments-empty]")).toBe(true);
  });

  it("B likes the video and comments; a comment with a blocked word is held, marked for B only", async () => {
    const page = await signedInPage(b);
    await page.goto(`${stack.origin}/watch/${videoId}`);
    await page.waitForSelector("[data-testid=comments][data-state=ready]", { timeout: 20_000 });
    await page.click("[data-testid=like-button]");
    await expect.poll(() => page.getAttribute("[data-testid=like-button]", "aria-pressed")).toBe("true");
    await expect.poll(() => page.textContent("[data-testid=like-count]")).toBe("1");
    // The page paints the like at once (optimistic); the server has it once the PUT lands.
    await expect.poll(async () => (await videoAs(a)).likeCount).toBe(1);

    await page.fill(
      "[data-testid=comment-text-input]",
      "The light at 0:02 is lovely — https://example.com/harbour",
    );
    await page.click("[data-testid=comment-submit]");
    const first = commentByText(page, "The light at 0:02 is lovely — https://example.com/harbour");
    await first.waitFor();
    expect(await first.locator("a[href='https://example.com/harbour']").count()).toBe(1);
    await expect.poll(() => page.textContent("[data-testid=comment-count]")).toBe("1 comment");

    await page.fill("[data-testid=comment-text-input]", "Spoiler: the boat leaves");
    await page.click("[data-testid=comment-submit]");
    const held = commentByText(page, "Spoiler: the boat leaves");
    await held.locator("[data-testid=comment-held]").waitFor();
    expect(await page.textContent("[data-testid=composer-status]")).toMatch(/held for review/);
    await expect.poll(() => page.textContent("[data-testid=comment-count]")).toBe("1 comment");

    const anonymous = await api<{ comments: { text: string }[] }>(
      stack.origin,
      `/api/videos/${videoId}/comments`,
    );
    expect(anonymous.body.comments.map((c) => c.text)).toEqual([
      "The light at 0:02 is lovely — https://example.com/harbour",
    ]);
  });

  it("A replies in B's thread; B sees the reply; counts follow; screenshots of the comments", async () => {
    const page = await signedInPage(a);
    await page.goto(`${stack.origin}/watch/${videoId}`);
    await page.waitForSelector("[data-testid=comments][data-state=ready]", { timeout: 20_000 });
    // The owner sees the dislike count (0) and the held comment.
    expect(await page.isVisible("[data-testid=dislike-count]")).toBe(true);
    await commentByText(page, "Spoiler: the boat leaves").waitFor();
    const thread = commentByText(page, "The light at 0:02 is lovely — https://example.com/harbour");
    await thread.locator("[data-testid=comment-reply]").first().click();
    await page.fill("[data-testid=reply-text]", "Thank you! Shot on a phone.");
    await page.click("[data-testid=reply-submit]");
    await thread.locator("[data-testid=comment-replies] [data-testid=comment-text]").first().waitFor();
    expect(
      await thread.locator("[data-testid=comment-replies] [data-testid=comment-text]").textContent(),
    ).toBe("Thank you! Shot on a phone.");
    await expect.poll(() => page.textContent("[data-testid=comment-count]")).toBe("2 comments");
    expect((await videoAs(null)).commentCount).toBe(2);
    expect(await videoAs(null)).not.toHaveProperty("dislikeCount");

    const viewer = await signedInPage(b);
    await viewer.goto(`${stack.origin}/watch/${videoId}`);
    await viewer.waitForSelector("[data-testid=comments][data-state=ready]", { timeout: 20_000 });
    const bThread = commentByText(viewer, "The light at 0:02 is lovely — https://example.com/harbour");
    const toggle = bThread.locator("[data-testid=comment-replies-toggle]").first();
    expect(await toggle.textContent()).toBe("1 reply");
    await toggle.click();
    expect(await toggle.textContent()).toBe("Hide replies");
    await bThread.locator("[data-testid=comment-replies] [data-testid=comment]").waitFor();
    expect(await viewer.textContent("[data-testid=comment-count]")).toBe("2 comments");
    expect(await viewer.getAttribute("[data-testid=like-button]", "aria-pressed")).toBe("true");
    await screenshotWidths(viewer, "watch-comments");
  });

  it("an account whose email is not verified is told to verify it instead of getting a composer", async () => {
    const c = await signUpViaApi(stack.origin, "unverified");
    const page = await signedInPage(c);
    await page.goto(`${stack.origin}/watch/${videoId}`);
    await page.waitForSelector("[data-testid=comments][data-state=ready]", { timeout: 20_000 });
    expect(await page.isVisible("[data-testid=comments-verify]")).toBe(true);
    expect(await page.isVisible("[data-testid=comment-composer]")).toBe(false);
    expect(await page.isVisible("[data-testid=comments-sign-in]")).toBe(false);
    await screenshotWidths(page, "watch-comments-unverified");
    const refused = await api<{ error: { code: string } }>(stack.origin, `/api/videos/${videoId}/comments`, {
      method: "POST",
      json: { text: "let me in" },
      token: c.token,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("email_unverified");
  });

  it("A approves the held comment from the studio; it counts and shows to everyone", async () => {
    const page = await signedInPage(a);
    await page.goto(`${stack.origin}/studio/${videoId}`);
    await page.waitForSelector("[data-testid=studio-comments][data-state=ready]", { timeout: 20_000 });
    expect(await page.inputValue("[data-testid=blocked-words]")).toBe("spoiler");
    const held = page.locator("[data-testid=held-list] [data-testid=comment]");
    await expect.poll(() => held.count()).toBe(1);
    expect(await held.locator("[data-testid=comment-text]").textContent()).toBe("Spoiler: the boat leaves");
    await screenshotWidths(page, "studio-comments-held");
    await held.locator("[data-testid=comment-approve]").click();
    await expect.poll(() => held.count()).toBe(0);
    expect(await page.isVisible("[data-testid=held-empty]")).toBe(true);
    expect((await videoAs(null)).commentCount).toBe(3);
    const everyone = await api<{ comments: { text: string }[] }>(
      stack.origin,
      `/api/videos/${videoId}/comments?sort=newest`,
    );
    expect(everyone.body.comments.map((c) => c.text)).toContain("Spoiler: the boat leaves");

    await page.selectOption("[data-testid=comments-mode]", "off");
    await expect.poll(() => page.textContent("[data-testid=comments-mode-status]")).toBe("Saved.");
    const refused = await api<{ error: { code: string } }>(stack.origin, `/api/videos/${videoId}/comments`, {
      method: "POST",
      json: { text: "still here?" },
      token: b.token,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("comments_disabled");
    expect(pageErrors).toEqual([]);
  });
});
