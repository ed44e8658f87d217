/**
 * Channels on the real stack in Chromium: a creator signs up on /signup, uploads a video,
 * customizes the channel in /studio/channel (banner and avatar rendered by the real fleet,
 * name, description with a link and markup, a link), and sees it all on /c/:handle and on
 * the video's card, the watch page and the studio row. An unknown handle is the site's 404;
 * a handle given up answers 301 to the new one. Screenshots of both pages at 375/1280 px.
 */
import { randomBytes } from "node:crypto";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import {
  api,
  CHROMIUM,
  CHROMIUM_ARGS,
  E2E_PASSWORD,
  screenshotWidths,
  startE2EStack,
  toolsAvailable,
  uploadFile,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e channels", { ffmpeg: true, chromium: true });
const FIXTURES = ["clip-640x360-2s.mp4", "poster-1920x1080.jpg", "poster-1600x900-alpha.png"] as const;

describe.skipIf(!ready)("channels (real stack + Chromium)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let page: Page;
  let fx: Record<(typeof FIXTURES)[number], string>;
  let videoId: string;
  const handle = `chan_${randomBytes(3).toString("hex")}`;
  const email = `${handle}@example.com`;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    [stack, fx] = await Promise.all([startE2EStack(), ensureFixtures([...FIXTURES])]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(`${new URL(page.url()).pathname}: ${m.text()}`);
    });
    page.on("pageerror", (e) => consoleErrors.push(`${new URL(page.url()).pathname}: ${e.message}`));
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("signs up on /signup (the channel exists at once) and uploads a video", async () => {
    await page.goto(`${stack.origin}/signup?next=%2Fstudio%2Fchannel`);
    await page.fill("[data-testid=signup-email]", email);
    await page.fill("[data-testid=signup-handle]", handle);
    await page.fill("[data-testid=signup-password]", E2E_PASSWORD);
    await Promise.all([
      page.waitForURL(`${stack.origin}/studio/channel`, { timeout: 15_000 }),
      page.click("[data-testid=signup-submit]"),
    ]);
    await page.waitForSelector("[data-testid=channel-editor][data-state=ready]", { timeout: 15_000 });
    expect(await page.inputValue("[data-testid=channel-handle-input]")).toBe(handle);
    expect(await page.inputValue("[data-testid=channel-name-input]")).toBe(handle);

    const login = await api<{ accessToken: string }>(stack.origin, "/api/auth/login", {
      method: "POST",
      json: { email, password: E2E_PASSWORD },
    });
    ({ videoId } = await uploadFile(stack.origin, fx["clip-640x360-2s.mp4"], {
      title: "Harbour at dawn",
      token: login.body.accessToken,
    }));
    await waitForVideo<{ status: string }>(stack.origin, videoId, (v) => v.status === "ready");
  });

  it("uploads a banner and an avatar in the editor: previews, progress, then the fleet's rendering", async () => {
    await page.setInputFiles("[data-testid=banner-input]", fx["poster-1600x900-alpha.png"]);
    await page.setInputFiles("[data-testid=avatar-input]", fx["poster-1920x1080.jpg"]);
    for (const kind of ["banner", "avatar"]) {
      await page.waitForSelector(`[data-testid=${kind}-field][data-state=done]`, { timeout: 90_000 });
      const src = await page.getAttribute(`[data-testid=${kind}-preview]`, "src");
      expect(src).toMatch(new RegExp(`^/i/[A-Za-z0-9_-]{22}/channels/u_[A-Za-z0-9]{16}/${kind}/a_`));
    }
    // The rendered sizes: the avatar preview is the 176 px square, the banner 1280×212.
    expect(
      await page.$eval("[data-testid=avatar-preview]", (i) => (i as HTMLImageElement).naturalWidth),
    ).toBe(176);
    expect(
      await page.$eval("[data-testid=banner-preview]", (i) => (i as HTMLImageElement).naturalHeight),
    ).toBe(212);
  });

  it("refuses a file that is not an image, and says so", async () => {
    await page.setInputFiles("[data-testid=avatar-input]", {
      name: "avatar.png",
      mimeType: "image/png",
      buffer: Buffer.from("<svg onload=alert(1)></svg>"),
    });
    await page.waitForSelector("[data-testid=avatar-field][data-state=error]", { timeout: 15_000 });
    expect(await page.textContent("[data-testid=avatar-status]")).toBe(
      "That isn't a JPEG, PNG or WebP image.",
    );
    // The preview goes back to the avatar the channel still has.
    expect(await page.getAttribute("[data-testid=avatar-preview]", "src")).toMatch(/^\/i\/.*\/176\.jpg$/);
  });

  it("saves name, description and a link; API validation shows beside the field", async () => {
    await page.fill("[data-testid=channel-name-input]", "Harbour Films");
    await page.fill(
      "[data-testid=channel-description-input]",
      "Slow films of the harbour.\nMore at https://harbour.example/about <b>not bold</b>",
    );
    await page.click("[data-testid=add-link]");
    await page.fill("[data-testid=channel-links-editor] li:last-child [data-role=link-title]", "Shop");
    await page.fill(
      "[data-testid=channel-links-editor] li:last-child [data-role=link-url]",
      "javascript:alert(1)",
    );
    await page.click("[data-testid=channel-save]");
    await page.waitForSelector("[data-error-for=links]:not([hidden])");
    expect(await page.textContent("[data-error-for=links]")).toMatch(/http/);

    await page.fill(
      "[data-testid=channel-links-editor] li:last-child [data-role=link-url]",
      "https://shop.example",
    );
    await page.click("[data-testid=channel-save]");
    await expect.poll(() => page.textContent("[data-testid=channel-form-status]")).toBe("Saved.");
    await screenshotWidths(page, "channel-editor");
  });

  it("shows it all on /c/:handle: banner, avatar, name, counts, videos, About as plain text", async () => {
    await page.goto(`${stack.origin}/c/${handle}`);
    expect(await page.textContent("[data-testid=channel-name]")).toBe("Harbour Films");
    expect(await page.textContent("[data-testid=channel-handle]")).toBe(`@${handle}`);
    expect(await page.textContent("[data-testid=channel-subscribers]")).toBe("0 subscribers");
    expect(await page.getAttribute("[data-testid=channel-banner-image]", "src")).toMatch(
      /\/banner\/.*\/1280x212\.jpg$/,
    );
    expect(await page.getAttribute("[data-testid=channel-avatar]", "src")).toMatch(/\/avatar\/.*\/176\.jpg$/);
    await page.waitForSelector("[data-testid=channel-videos][data-state=ready]", { timeout: 30_000 });
    const card = page.locator(`[data-testid=channel-grid] [data-video-id=${videoId}]`);
    expect(await card.count()).toBe(1);
    await page.click("[data-testid=sort-popular]");
    await page.waitForSelector("[data-testid=channel-videos][data-state=ready]");
    expect(await card.count()).toBe(1);
    await screenshotWidths(page, "channel-page");

    await page.click("[data-testid=tab-about]");
    const about = page.locator("[data-testid=channel-description]");
    expect(await about.isVisible()).toBe(true);
    expect(await about.textContent()).toContain("<b>not bold</b>");
    expect(await about.locator("b").count()).toBe(0);
    expect(await about.locator("a").getAttribute("href")).toBe("https://harbour.example/about");
    expect(await page.locator("[data-testid=channel-links] a").getAttribute("href")).toBe(
      "https://shop.example",
    );
    expect(await page.textContent("[data-testid=channel-joined]")).toMatch(/^Joined \w{3} \d{1,2}, \d{4}$/);
    expect(await page.textContent("[data-testid=channel-views]")).toBe("0 views");
    // The owner sees the way to the editor.
    await expect.poll(() => page.isVisible("[data-testid=channel-edit]")).toBe(true);
    await screenshotWidths(page, "channel-about");
  });

  it("the video's card on home, its watch page and its studio row show the channel and link to it", async () => {
    const chipOf = (scope: string) => page.locator(`${scope} [data-testid=channel-chip]`).first();
    await page.goto(`${stack.origin}/`);
    const card = page.locator(".video-card", { has: page.locator(`[data-video-id=${videoId}]`) });
    await card.waitFor({ timeout: 30_000 });
    const chip = card.locator("[data-testid=channel-chip]");
    expect(await chip.getAttribute("href")).toBe(`/c/${handle}`);
    expect(await chip.locator(".channel-chip-name").textContent()).toBe("Harbour Films");
    expect(await chip.locator("img").getAttribute("src")).toMatch(/\/avatar\/.*\/88\.jpg$/);
    await expect
      .poll(() => chip.locator("img").evaluate((i) => (i as HTMLImageElement).naturalWidth))
      .toBe(88);

    await page.goto(`${stack.origin}/watch/${videoId}`);
    await page.waitForSelector("[data-testid=video-channel]:not([hidden]) [data-testid=channel-chip]");
    expect(await chipOf("[data-testid=video-channel]").getAttribute("href")).toBe(`/c/${handle}`);

    await page.goto(`${stack.origin}/studio`);
    await page.waitForSelector("[data-testid=studio][data-state=ready]", { timeout: 15_000 });
    const row = `[data-testid=studio-video][data-video-id=${videoId}]`;
    expect(await chipOf(row).locator(".channel-chip-name").textContent()).toBe("Harbour Films");
    await Promise.all([page.waitForURL(`${stack.origin}/c/${handle}`), chipOf(row).click()]);
  });

  it("an unknown, reserved or malformed handle is the site's 404 page with status 404", async () => {
    for (const path of ["/c/nobody-here-zz", "/c/admin", "/c/x"]) {
      const res = await page.goto(`${stack.origin}${path}`);
      expect(res?.status(), path).toBe(404);
      expect(await page.isVisible("[data-testid=page-not-found]"), path).toBe(true);
    }
  });

  it("a handle change in the editor keeps the old address answering 301 to the new one", async () => {
    const next = `${handle}_new`;
    await page.goto(`${stack.origin}/studio/channel`);
    await page.waitForSelector("[data-testid=channel-editor][data-state=ready]", { timeout: 15_000 });
    await page.fill("[data-testid=channel-handle-input]", next);
    await page.click("[data-testid=channel-save]");
    await expect.poll(() => page.textContent("[data-testid=channel-form-status]")).toBe("Saved.");
    expect(await page.getAttribute("[data-testid=channel-view-link]", "href")).toBe(`/c/${next}`);

    const moved = await fetch(`${stack.origin}/c/${handle}`, { redirect: "manual" });
    expect(moved.status).toBe(301);
    expect(moved.headers.get("location")).toBe(`/c/${next}`);
    expect(moved.headers.get("cache-control")).toBe("public, max-age=86400");
    const res = await page.goto(`${stack.origin}/c/${handle}`);
    expect(res?.url()).toBe(`${stack.origin}/c/${next}`);
    expect(await page.textContent("[data-testid=channel-name]")).toBe("Harbour Films");
  });

  it("logged no console errors besides the refusals this suite provokes", () => {
    const unexpected = consoleErrors.filter(
      (e) =>
        !/status of (400|404|415)/.test(e) &&
        !e.startsWith("/c/nobody") &&
        !e.startsWith("/c/admin") &&
        !e.startsWith("/c/x:"),
    );
    expect(unexpected).toEqual([]);
  });
});
