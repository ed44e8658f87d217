/**
 * Views, resume and history in Chromium on the real stack (ADR 0016): B watches 40 s of A's
 * video for real, leaves, comes back — the watch page resumes where B stopped with
 * "Resumed at 0:4x · Start over" — and the view count went up by exactly one (coming back
 * inside the window adds none). /history shows the video with its progress; pause, remove,
 * clear. Screenshots of the resume hint and /history at 375 and 1280 px.
 * The one long wait is the 40 s of real playback (VIEW_MIN_PLAYED_SECONDS stays 30).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

const ready = toolsAvailable("e2e views", { ffmpeg: true, chromium: true });

type Video = { id: string; status: string; viewCount: number; resumeAtSec?: number };
type History = { items: { video: { id: string }; positionSec: number; durationSec: number }[] };

const PLAYER = "video[data-testid=player]";

describe.skipIf(!ready)("views, resume and history (real stack + Chromium)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let page: Page;
  let viewer: Awaited<ReturnType<typeof signUpViaApi>>;
  let videoId: string;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    let source: string;
    [stack, { "small-426x240-75s.mp4": source }] = await Promise.all([
      // A short flush interval keeps the test quick; the counting rules are the defaults.
      startE2EStack({
        edgeVars: { VIEW_FLUSH_SECONDS: "2" },
      }),
      ensureFixtures(["small-426x240-75s.mp4"]),
    ]);
    const owner = await signUpViaApi(stack.origin, "vown");
    viewer = await signUpViaApi(stack.origin, "vwatch");
    const up = await uploadFile(stack.origin, source, { token: owner.token, title: "Harbour at dawn" });
    videoId = up.videoId;
    ({ browser, page, pageErrors } = await openChromium());
    page.on("response", (r) => {
      if (r.status() >= 400 && /\/api\/(views|me\/history)/.test(r.url()))
        pageErrors.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${stack.origin}/login?next=%2F`);
    // The form is scripted: wait until the page's scripts run (a loaded machine is slow).
    await page.waitForSelector("[data-testid=auth-nav][data-state=anonymous]", { timeout: 30_000 });
    await page.fill("[data-testid=login-email]", viewer.email);
    await page.fill("[data-testid=login-password]", viewer.password);
    await Promise.all([page.waitForURL(`${stack.origin}/`), page.click("[data-testid=login-submit]")]);
    await page.waitForSelector("[data-testid=auth-nav][data-state=signed-in]", { timeout: 30_000 });
    await waitForVideo<Video>(stack.origin, videoId, (v) => v.status === "ready", 240_000, owner.token);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const viewCount = async () => (await api<Video>(stack.origin, `/api/videos/${videoId}`)).body.viewCount;
  const history = async () =>
    (await api<History>(stack.origin, "/api/me/history", { token: viewer.token })).body;
  const currentTime = () => page.locator(PLAYER).evaluate((v: HTMLVideoElement) => v.currentTime);
  const play = () =>
    page.evaluate((sel) => {
      const v = document.querySelector(sel) as HTMLVideoElement;
      v.muted = true;
      void v.play();
    }, PLAYER);
  const playedTo = (sec: number, timeout: number) =>
    page.waitForFunction(
      (s) => (document.querySelector("video[data-testid=player]") as HTMLVideoElement).currentTime >= s,
      sec,
      {
        timeout,
      },
    );

  it("B watches 40 s, leaves, comes back and resumes; the view count goes up by exactly one", async () => {
    expect(await viewCount()).toBe(0);
    await page.goto(`${stack.origin}/watch/${videoId}`);
    await page.locator(PLAYER).waitFor({ timeout: 30_000 });
    // A first visit has nothing to resume.
    expect(await page.isHidden("[data-testid=resume-hint]")).toBe(true);
    await play();
    await playedTo(40, 90_000);
    // Leaving fires the pagehide beacon with the last stretch and the position.
    await page.goto(`${stack.origin}/`);
    await expect.poll(viewCount, { timeout: 20_000 }).toBe(1);
    await expect
      .poll(async () => (await history()).items[0]?.positionSec ?? 0, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(39);

    await page.goto(`${stack.origin}/watch/${videoId}`);
    const hint = page.locator("[data-testid=resume-hint]");
    await hint.waitFor({ state: "visible", timeout: 30_000 });
    expect(await hint.textContent()).toMatch(/Resumed at 0:4\d\s*·\s*Start over/);
    await expect.poll(currentTime, { timeout: 20_000 }).toBeGreaterThanOrEqual(39);
    expect(await currentTime()).toBeLessThan(50);
    await expect
      .poll(() => page.textContent("[data-testid=video-meta]"), { timeout: 10_000 })
      .toContain("1 view");
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshotWidths(page, "watch-resume-hint");

    // Watching on inside the window: more watch time, no second view.
    await play();
    await playedTo(47, 30_000);
    await page.goto(`${stack.origin}/`);
    await expect
      .poll(async () => (await history()).items[0]?.positionSec ?? 0, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(46);
    expect(await viewCount()).toBe(1);

    // /history: the video, with a bar as far as B got.
    await page.goto(`${stack.origin}/history`);
    const item = page.locator("[data-testid=history-item]");
    await item.first().waitFor({ timeout: 20_000 });
    expect(await item.count()).toBe(1);
    expect(await item.locator("[data-testid=history-title]").textContent()).toBe("Harbour at dawn");
    const percent = Number(
      await item.locator("[data-testid=history-progress]").getAttribute("aria-valuenow"),
    );
    const { positionSec, durationSec } = (await history()).items[0]!;
    expect(percent).toBe(Math.round((positionSec / durationSec) * 100));
    expect(percent).toBeGreaterThanOrEqual(60);
    expect(await item.locator("[data-role=meta]").textContent()).toMatch(
      /^Stopped at 0:4\d of 1:15 · just now$/,
    );
    await screenshotWidths(page, "history");
  }, 240_000);

  it("Start over seeks to 0 and hides the hint; ?t= wins over the resume point", async () => {
    await page.goto(`${stack.origin}/watch/${videoId}`);
    await page.locator("[data-testid=resume-hint]").waitFor({ state: "visible", timeout: 30_000 });
    await expect.poll(currentTime, { timeout: 20_000 }).toBeGreaterThanOrEqual(45);
    await page.click("[data-testid=start-over]");
    expect(await page.isHidden("[data-testid=resume-hint]")).toBe(true);
    expect(await currentTime()).toBeLessThan(3);
    await page.evaluate((sel) => (document.querySelector(sel) as HTMLVideoElement).pause(), PLAYER);

    await page.goto(`${stack.origin}/watch/${videoId}?t=12`);
    await expect.poll(currentTime, { timeout: 20_000 }).toBeGreaterThanOrEqual(11.5);
    expect(await currentTime()).toBeLessThan(20);
    expect(await page.isHidden("[data-testid=resume-hint]")).toBe(true);
  }, 120_000);

  it("/history: pause, remove one, clear all", async () => {
    await page.goto(`${stack.origin}/history`);
    const item = page.locator("[data-testid=history-item]");
    await item.first().waitFor({ timeout: 20_000 });

    // Pause: saved in the preferences, said on the page.
    const pause = page.locator("[data-testid=history-pause]");
    await expect.poll(() => pause.isEnabled()).toBe(true);
    await pause.check();
    await page.locator("[data-testid=history-paused-note]").waitFor({ state: "visible" });
    const prefs = async () =>
      (await api<{ historyPaused: boolean }>(stack.origin, "/api/me/preferences", { token: viewer.token }))
        .body;
    await expect.poll(async () => (await prefs()).historyPaused).toBe(true);
    await pause.uncheck();
    await expect.poll(async () => (await prefs()).historyPaused).toBe(false);

    // Remove one → the empty state; the API agrees.
    await item.locator("[data-testid=history-remove]").click();
    await page.locator("[data-testid=history-empty]").waitFor({ state: "visible" });
    expect((await history()).items).toEqual([]);
    await screenshotWidths(page, "history-empty");

    // Clear all (after watching again) empties it too.
    await page.goto(`${stack.origin}/watch/${videoId}?t=5`);
    await page.locator(PLAYER).waitFor({ timeout: 30_000 });
    await play();
    await playedTo(8, 30_000);
    await page.goto(`${stack.origin}/history`);
    await expect.poll(async () => (await history()).items.length, { timeout: 20_000 }).toBe(1);
    await page.reload();
    await item.first().waitFor({ timeout: 20_000 });
    page.once("dialog", (d) => void d.accept());
    await page.click("[data-testid=history-clear]");
    await page.locator("[data-testid=history-empty]").waitFor({ state: "visible" });
    expect((await history()).items).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
