/**
 * Video metadata and preferences on the real stack in Chromium: the account's preferences
 * are saved and the theme applies after a reload (server-rendered, no flash); the upload page
 * starts from the default visibility and saves tags, category, description and visibility
 * while the bytes are still moving (part uploads are held at the network until the details
 * are saved); the watch page renders the description as text with links, seeking timestamps
 * and chapters (`?t=` too); the studio edits the same fields and schedules a publish.
 * Screenshots of every page involved at 375 and 1280 px.
 */
import type { Browser, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import {
  api,
  openChromium,
  screenshotWidths,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e metadata", { ffmpeg: true, chromium: true });

type Video = {
  id: string;
  status: string;
  title: string;
  description: string;
  visibility: string;
  tags: string[];
  category: string | null;
  publishAt?: string | null;
  chapters?: { startSec: number; title: string }[];
};

const DESCRIPTION = [
  "Boats leaving the harbour. Map: https://example.com/harbour?x=1.",
  '<img src=x onerror="window.__pwned=1"> <b>not bold</b>',
  "The best light is at 0:03.",
  "0:00 Intro",
  "0:02 Boats",
].join("\n");

describe.skipIf(!ready)("video metadata and preferences (real stack + Chromium)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let page: Page;
  let account: Awaited<ReturnType<typeof signUpViaApi>>;
  let source: string;
  let videoId: string;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    [stack, { "sd-854x480-4s.mp4": source }] = await Promise.all([
      startE2EStack(),
      ensureFixtures(["sd-854x480-4s.mp4"]),
    ]);
    account = await signUpViaApi(stack.origin, "meta");
    ({ browser, page, pageErrors } = await openChromium());
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(`${new URL(page.url()).pathname} console: ${m.text()}`);
    });
    await page.goto(`${stack.origin}/login?next=%2Faccount`);
    await page.fill("[data-testid=login-email]", account.email);
    await page.fill("[data-testid=login-password]", account.password);
    await Promise.all([page.waitForURL(`${stack.origin}/account`), page.click("[data-testid=login-submit]")]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Full-page shots from the top (a sticky header scrolled along would cover the middle). */
  const shoot = async (name: string) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshotWidths(page, name);
  };
  const bodyBackground = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  it("saves preferences on /account; the theme applies at once and after a reload", async () => {
    await page.waitForSelector("[data-testid=preferences][data-state=ready]", { timeout: 15_000 });
    expect(await page.inputValue("[data-testid=pref-default-visibility]")).toBe("public");
    expect(await page.isChecked("[data-testid=pref-theme-system]")).toBe(true);

    const saves = async (action: () => Promise<unknown>) => {
      const before = Number((await page.getAttribute("[data-testid=preferences]", "data-saved")) ?? 0);
      await action();
      await expect
        .poll(async () => Number(await page.getAttribute("[data-testid=preferences]", "data-saved")))
        .toBe(before + 1);
    };
    await saves(() => page.selectOption("[data-testid=pref-default-visibility]", "unlisted"));
    await saves(() => page.click("[data-testid=pref-autoplay]"));
    await saves(() => page.click("[data-testid=pref-history-paused]"));
    await saves(() => page.check("[data-testid=pref-theme-dark]"));
    expect(await page.getAttribute("html", "data-theme")).toBe("dark");
    expect(await bodyBackground()).toContain("10, 12, 17");
    await saves(() => page.check("[data-testid=pref-theme-light]"));
    expect(await page.getAttribute("html", "data-theme")).toBe("light");

    const stored = await api(stack.origin, "/api/me/preferences", { token: account.token });
    expect(stored.body).toEqual({
      defaultVisibility: "unlisted",
      autoplay: false,
      emailNotifications: true,
      theme: "light",
      historyPaused: true,
    });

    // The server renders the theme into <html>: right from the first paint, on any page.
    const html = await (await page.request.get(`${stack.origin}/`)).text();
    expect(html).toMatch(/<html lang="en" data-theme="light"/);
    await page.reload();
    expect(await page.getAttribute("html", "data-theme")).toBe("light");
    expect(await bodyBackground()).toContain("245, 246, 250");
    await page.waitForSelector("[data-testid=preferences][data-state=ready]", { timeout: 15_000 });
    expect(await page.isChecked("[data-testid=pref-theme-light]")).toBe(true);
    expect(await page.isChecked("[data-testid=pref-history-paused]")).toBe(true);
    await shoot("account-preferences");

    // Another browser (no theme cookie yet) adopts the account's theme once signed in.
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const fresh = await other.newPage();
      await fresh.goto(`${stack.origin}/login?next=%2F`);
      expect(await fresh.getAttribute("html", "data-theme")).toBe("system");
      await fresh.fill("[data-testid=login-email]", account.email);
      await fresh.fill("[data-testid=login-password]", account.password);
      await Promise.all([fresh.waitForURL(`${stack.origin}/`), fresh.click("[data-testid=login-submit]")]);
      await expect.poll(() => fresh.getAttribute("html", "data-theme"), { timeout: 15_000 }).toBe("light");
      await fresh.reload();
      expect(await fresh.getAttribute("html", "data-theme")).toBe("light");
    } finally {
      await other.close();
    }
  });

  it("saves tags, category, description and visibility on the upload page while the upload runs", async () => {
    // Hold every part upload at the network until the details are saved: the upload is running.
    const held: Route[] = [];
    let holding = true;
    await page.route(/partNumber=/, (route) => (holding ? held.push(route) : route.continue()));
    const release = async () => {
      holding = false;
      for (const route of held.splice(0)) await route.continue();
      await page.unroute(/partNumber=/);
    };
    try {
      await fillDetailsWhileHeld(held);
    } finally {
      await release();
    }
    await page.waitForSelector("[data-testid=upload][data-state=processing]", { timeout: 60_000 });
  });

  /** The upload has started and its parts are held: fill in the details, see them saved. */
  async function fillDetailsWhileHeld(held: Route[]) {
    await page.goto(`${stack.origin}/upload`);
    // The account's default visibility (unlisted) is preselected.
    await expect
      .poll(() => page.isChecked("[data-testid=upload-details] [data-testid=visibility-unlisted]"))
      .toBe(true);
    await page.setInputFiles("[data-testid=file-input]", source);
    await page.waitForSelector("[data-testid=upload][data-state=selected]");
    await page.click("[data-testid=start-upload]");
    await expect.poll(() => page.getAttribute("[data-testid=upload]", "data-video-id")).toBeTruthy();
    videoId = (await page.getAttribute("[data-testid=upload]", "data-video-id"))!;
    await expect.poll(() => held.length, { timeout: 15_000 }).toBeGreaterThan(0);

    await page.fill("[data-testid=title-input]", "Harbour at dawn");
    await page.fill("[data-testid=upload-details] [data-testid=edit-description]", DESCRIPTION);
    await page.click("[data-testid=upload-details] [data-testid=tags-input]");
    await page.keyboard.type("Harbour, #Boats, boats,bad/tag");
    await page.keyboard.press("Enter");
    expect(await page.textContent("[data-testid=upload-details] [data-testid=tags-error]")).toContain(
      "bad/tag",
    );
    await page.keyboard.type("Dawn Light");
    await page.keyboard.press("Enter");
    await page.selectOption("[data-testid=upload-details] [data-testid=category-select]", "travel");
    await page.check("[data-testid=upload-details] [data-testid=visibility-public]");
    const chips = page.locator("[data-testid=upload-details] [data-testid=tag-chip]");
    expect(await chips.allTextContents()).toEqual(["harbour×", "boats×", "dawn light×"]);

    await expect
      .poll(() => page.textContent("[data-testid=upload-details] [data-testid=details-status]"), {
        timeout: 15_000,
      })
      .toContain("All changes saved");
    const during = await api<Video>(stack.origin, `/api/videos/${videoId}`, { token: account.token });
    expect(during.body).toMatchObject({
      status: "uploading",
      title: "Harbour at dawn",
      description: DESCRIPTION,
      tags: ["harbour", "boats", "dawn light"],
      category: "travel",
      visibility: "public",
      chapters: [
        { startSec: 0, title: "Intro" },
        { startSec: 2, title: "Boats" },
      ],
    });
    await shoot("upload-details");
  }

  it("renders the description as text with links and seeking timestamps; chapters; ?t=", async () => {
    await waitForVideo<Video>(stack.origin, videoId, (v) => v.status === "ready", 180_000, account.token);
    await page.goto(`${stack.origin}/watch/${videoId}`);
    const description = page.locator("[data-testid=video-description]");
    await description.waitFor({ timeout: 15_000 });
    expect(await description.textContent()).toBe(DESCRIPTION);
    // Markup stayed text: no <img>, no <b>, nothing ran.
    expect(await description.locator("img, b, script").count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();

    const link = description.locator('a[href^="https://example.com"]');
    expect(await link.getAttribute("href")).toBe("https://example.com/harbour?x=1");
    expect(await link.getAttribute("rel")).toBe("noopener nofollow ugc");
    expect(await link.getAttribute("target")).toBe("_blank");

    await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1, null, {
      timeout: 30_000,
    });
    await description.locator("a.timestamp", { hasText: "0:03" }).click();
    await expect
      .poll(() => page.evaluate(() => document.querySelector("video")!.currentTime), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(2.9);
    expect(new URL(page.url()).searchParams.get("t")).toBe("3");

    const chapters = page.locator("[data-testid=video-chapters] li");
    expect(await chapters.allTextContents()).toEqual(["0:00Intro", "0:02Boats"]);
    await shoot("watch-description");

    // Arriving with ?t= starts there.
    await page.goto(`${stack.origin}/watch/${videoId}?t=2`);
    await expect
      .poll(() => page.evaluate(() => document.querySelector("video")?.currentTime ?? 0), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(1.9);
  });

  it("edits tags and schedules a publish in the studio", async () => {
    await page.goto(`${stack.origin}/studio/${videoId}`);
    await page
      .waitForSelector("[data-testid=studio-manage][data-state=ready]", { timeout: 30_000 })
      .catch(async (err: Error) => {
        const state = await page.getAttribute("[data-testid=studio-manage]", "data-state");
        throw new Error(`${err.message}\nstate: ${state}\npage errors: ${pageErrors.join("\n")}`);
      });
    const chips = page.locator("[data-testid=details-form] [data-testid=tag-chip]");
    expect(await chips.allTextContents()).toEqual(["harbour×", "boats×", "dawn light×"]);
    expect(await page.inputValue("[data-testid=category-select]")).toBe("travel");

    await page.click('[aria-label="Remove tag boats"]');
    await page.fill("[data-testid=tags-input]", "sea");
    await page.keyboard.press("Enter");
    // A schedule makes the video private until then.
    await page.fill("[data-testid=publish-at]", "2099-01-01T09:30");
    await page.dispatchEvent("[data-testid=publish-at]", "change");
    expect(await page.isChecked("[data-testid=visibility-private]")).toBe(true);
    await page.click("[data-testid=save-details]");
    // 2099 is more than two years away: the API's message lands beside the field.
    await page.waitForSelector("[data-role=publishAt-error]:not([hidden])");
    expect(await page.textContent("[data-role=publishAt-error]")).toContain("two years");

    const inAYear = new Date(Date.now() + 365 * 86400_000);
    const local = `${inAYear.getFullYear()}-${String(inAYear.getMonth() + 1).padStart(2, "0")}-${String(inAYear.getDate()).padStart(2, "0")}T09:30`;
    await page.fill("[data-testid=publish-at]", local);
    await page.dispatchEvent("[data-testid=publish-at]", "change");
    await page.click("[data-testid=save-details]");
    await expect.poll(() => page.textContent("[data-testid=details-status]")).toBe("Saved.");
    const saved = await api<Video>(stack.origin, `/api/videos/${videoId}`, { token: account.token });
    expect(saved.body).toMatchObject({ tags: ["harbour", "dawn light", "sea"], visibility: "private" });
    expect(new Date(saved.body.publishAt!).getTime()).toBe(new Date(local).getTime());
    expect(await page.textContent("[data-role=meta]")).toContain("Publishes");
    await shoot("studio-metadata");
    // Resource loads the browser logs (the 400 provoked above, a poster or preview asked for
    // before the fleet wrote it) are not script errors; anything else is.
    expect(pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
