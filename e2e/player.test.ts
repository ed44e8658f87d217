/**
 * The player (ADR 0018) in Chromium on the real stack: a 40 s 640×360 upload (two rungs, 360p
 * and 240p, chapters in its description) played on the watch page. The quality menu switches
 * hls.js's level; the YouTube keys act; theater mode survives a reload; `?t=30` starts at 30 s;
 * the controls and the settings popover pass axe and are screenshotted at 375/1280 px in both
 * themes. One stack, one upload, in beforeAll.
 */
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../scripts/lib/stack.ts";
import { runFfmpegQuiet } from "../scripts/make-fixtures.ts";
import { expectAccessible, shootThemes } from "./axe.ts";
import {
  api,
  CHROMIUM,
  CHROMIUM_ARGS,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
  uploadFile,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e player", { ffmpeg: true, chromium: true });

type Video = {
  id: string;
  status: string;
  failureReason?: string;
  renditions: { name: string; kind?: string }[];
};
type PlayerWindow = Window & {
  __player?: {
    hls: { levels: { height?: number }[]; currentLevel: number; autoLevelEnabled: boolean } | null;
  };
};

const PLAYER = "video[data-testid=player]";
const NOT_THE_PLAYER = ["[data-testid=like-button]", "[data-testid=dislike-button]"];

/** 40 s, 640×360, with sound: the ladder makes 360p and 240p. */
async function makeSource(): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), "streamline-e2e-player-")), "player-640x360-40s.mp4");
  // biome-ignore format: flag/value pairs
  await runFfmpegQuiet("ffmpeg", [
    "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=24:duration=40",
    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=40",
    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k",
    "-movflags", "+faststart", out,
  ]);
  return out;
}

/** Keys go to the page, not a focused control. */
const blur = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

const media = (page: Page) =>
  page.evaluate((sel) => {
    const v = document.querySelector<HTMLVideoElement>(sel)!;
    return {
      time: v.currentTime,
      paused: v.paused,
      muted: v.muted,
      rate: v.playbackRate,
      duration: v.duration,
    };
  }, PLAYER);

describe.skipIf(!ready)("the player (real stack + Chromium)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let page: Page;
  let videoId: string;
  let owner: Awaited<ReturnType<typeof signUpViaApi>>;
  const pageErrors: string[] = [];

  /** Opens the watch page and waits until hls.js has the manifest and the media has metadata. */
  async function openWatch(query = ""): Promise<void> {
    await page.goto(`${stack.origin}/watch/${videoId}${query}`);
    await page.waitForFunction(
      (sel) => {
        const w = window as PlayerWindow;
        const v = document.querySelector<HTMLVideoElement>(sel);
        return (w.__player?.hls?.levels.length ?? 0) >= 2 && !!v && Number.isFinite(v.duration);
      },
      PLAYER,
      { timeout: 30_000 },
    );
  }

  beforeAll(async () => {
    // Our own copy of the built site (another build of the shared tree must not swap it mid-test);
    // E2E_SITE_DIST points at another build (a clean checkout's) when the tree is mid-edit.
    const t0 = Date.now();
    const siteCopy = mkdtempSync(join(tmpdir(), "streamline-e2e-player-site-"));
    cpSync(process.env.E2E_SITE_DIST ?? join(ROOT, "site", "dist"), join(siteCopy, "dist"), {
      recursive: true,
    });
    const siteConfig = join(siteCopy, "dist", "server", "wrangler.json");
    const [started, source] = await Promise.all([startE2EStack({ siteConfig }), makeSource()]);
    stack = started;
    owner = await signUpViaApi(stack.origin, "player");
    ({ videoId } = await uploadFile(stack.origin, source, { title: "Player test card", token: owner.token }));
    const description = "Chapters:\n0:00 Opening\n0:12 Middle part\n0:28 Closing";
    await api(stack.origin, `/api/videos/${videoId}`, {
      method: "PATCH",
      token: owner.token,
      json: { description },
    });
    const video = await waitForVideo<Video>(
      stack.origin,
      videoId,
      (v) => v.status === "ready" || v.status === "failed",
      420_000,
      owner.token,
    );
    console.log(
      `e2e player: stack up, uploaded and transcoded in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    if (video.status !== "ready")
      throw new Error(`transcode failed: ${video.failureReason}\n${stack.output()}`);
    expect(video.renditions.filter((r) => r.kind !== "audio").length).toBeGreaterThanOrEqual(2);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("pageerror", (e) => pageErrors.push(e.message));
  }, 540_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("the quality menu shows Auto with the rung playing, and picking a rung switches hls.js's level", async () => {
    await openWatch();
    await page.hover("[data-testid=player-wrapper] video");
    await page.click("[data-testid=settings-button]");
    await page.waitForSelector("[data-testid=settings-menu]:not([hidden])");
    expect(await page.getAttribute("[data-testid=settings-button]", "aria-expanded")).toBe("true");
    const qualityRow = page.locator("[data-testid=quality-item]");
    await expect.poll(() => qualityRow.textContent()).toMatch(/^QualityAuto \(\d+p\) ›$/);
    await qualityRow.click();

    // Auto first (checked), then each rung; pick the lowest.
    const options = page.locator("[data-testid=menu-option]");
    expect(await options.first().textContent()).toMatch(/^Auto/);
    expect(await options.first().getAttribute("aria-checked")).toBe("true");
    const lowest = await page.evaluate(() => {
      const levels = (window as PlayerWindow).__player!.hls!.levels;
      const heights = levels.map((l) => l.height ?? 0);
      return heights.indexOf(Math.min(...heights.filter((h) => h > 0)));
    });
    await page.click(`[data-testid=menu-option][data-value="${lowest}"]`);
    await expect
      .poll(() =>
        page.evaluate(() => {
          const hls = (window as PlayerWindow).__player!.hls!;
          return { level: hls.currentLevel, auto: hls.autoLevelEnabled };
        }),
      )
      .toEqual({ level: lowest, auto: false });
    // The menu is back on its main list and names the rung; the live region said so.
    await expect.poll(() => qualityRow.textContent()).toBe("Quality240p ›");
    expect(await page.textContent("[data-testid=player-announce]")).toBe("Quality 240p");

    // And back to Auto.
    await qualityRow.click();
    await page.click('[data-testid=menu-option][data-value="-1"]');
    await expect
      .poll(() => page.evaluate(() => (window as PlayerWindow).__player!.hls!.autoLevelEnabled))
      .toBe(true);
    await page.keyboard.press("Escape");
    await page.waitForSelector("[data-testid=settings-menu]", { state: "hidden" });
  });

  it("keyboard: k pauses and plays, l jumps 10 s, m mutes, > speeds up, 0 goes to the start", async () => {
    await openWatch();
    await blur(page);
    // Playing (the stage autoplays; a reload of the source can pause it for a moment).
    await page.waitForFunction(
      (sel) => {
        const v = document.querySelector<HTMLVideoElement>(sel)!;
        if (v.paused) void v.play().catch(() => undefined);
        return !v.paused && v.readyState >= 3;
      },
      PLAYER,
      { timeout: 20_000, polling: 250 },
    );

    await page.keyboard.press("k");
    await expect.poll(async () => (await media(page)).paused, { timeout: 10_000 }).toBe(true);
    // Labels follow the media's events, which fire after the key's handler returns: poll them.
    await expect.poll(() => page.getAttribute("[data-testid=play-button]", "aria-label")).toBe("Play (k)");

    const before = (await media(page)).time;
    await page.keyboard.press("l");
    await expect.poll(async () => (await media(page)).time, { timeout: 10_000 }).toBeCloseTo(before + 10, 0);
    await page.keyboard.press("j");
    await expect.poll(async () => (await media(page)).time, { timeout: 10_000 }).toBeCloseTo(before, 0);

    await page.keyboard.press("m");
    await expect.poll(async () => (await media(page)).muted).toBe(true);
    await expect.poll(() => page.getAttribute("[data-testid=mute-button]", "aria-label")).toBe("Unmute (m)");
    await page.keyboard.press("m");
    await expect.poll(async () => (await media(page)).muted).toBe(false);

    await page.keyboard.press(">");
    await expect.poll(async () => (await media(page)).rate).toBe(1.25);
    await expect.poll(() => page.textContent("[data-testid=player-announce]")).toBe("Speed 1.25×");
    await page.keyboard.press("<");
    await expect.poll(async () => (await media(page)).rate).toBe(1);

    await page.keyboard.press("5");
    await expect.poll(async () => (await media(page)).time, { timeout: 10_000 }).toBeCloseTo(20, 0);
    // Paused, `.` steps one frame forward: a frame of this 24 fps source (the master's FRAME-RATE), not 1/30 s.
    const atFive = (await media(page)).time;
    await page.keyboard.press(".");
    await expect
      .poll(async () => (await media(page)).time - atFive, { timeout: 10_000 })
      .toBeCloseTo(1 / 24, 3);
    await page.keyboard.press(",");
    await expect.poll(async () => (await media(page)).time - atFive, { timeout: 10_000 }).toBeCloseTo(0, 3);

    await page.keyboard.press("k");
    await expect.poll(async () => (await media(page)).paused, { timeout: 10_000 }).toBe(false);

    // Typing in a field is typing, not shortcuts.
    await page.evaluate(() => {
      const input = document.createElement("input");
      input.id = "typing-probe";
      document.body.append(input);
    });
    await page.focus("#typing-probe");
    await page.keyboard.type("kkm");
    const typed = await media(page);
    expect(typed.paused).toBe(false);
    expect(typed.muted).toBe(false);
  });

  it("draws the chapters on the seek bar and names the one under the pointer", async () => {
    await openWatch();
    await page.waitForFunction(
      () => document.querySelectorAll("[data-role=seek-chapters] span").length === 2,
      undefined,
      {
        timeout: 15_000,
      },
    );
    const bar = page.locator("[data-testid=seek-bar]");
    await page.hover("[data-testid=player-wrapper] video");
    const box = (await bar.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 3 });
    await page.waitForSelector("[data-testid=seek-preview-tooltip]:not([hidden])");
    expect(await page.textContent("[data-role=seek-chapter]")).toBe("Middle part");
  });

  it("theater mode is remembered after a reload, and the page can see it", async () => {
    await openWatch();
    const theater = page.locator("[data-testid=theater-button]");
    await page.hover("[data-testid=player-wrapper] video");
    expect(await theater.getAttribute("aria-pressed")).toBe("false");
    await theater.click();
    expect(await page.getAttribute("[data-testid=player-wrapper]", "data-theater")).toBe("true");
    expect(await page.getAttribute("html", "data-player-theater")).toBe("true");

    await page.reload({ waitUntil: "domcontentloaded" });
    await page.waitForSelector("[data-testid=player-wrapper][data-theater=true]", { timeout: 30_000 });
    expect(await theater.getAttribute("aria-pressed")).toBe("true");
    // `t` turns it off again, and that is remembered too.
    await openWatch();
    await blur(page);
    await page.keyboard.press("t");
    expect(await page.getAttribute("[data-testid=player-wrapper]", "data-theater")).toBeNull();
    await openWatch();
    expect(await page.getAttribute("[data-testid=player-wrapper]", "data-theater")).toBeNull();
  });

  it("?t=30 starts at 30 s", async () => {
    await openWatch("?t=30");
    await expect.poll(async () => (await media(page)).time, { timeout: 15_000 }).toBeGreaterThanOrEqual(29.5);
    expect((await media(page)).time).toBeLessThan(38);
  });

  it("controls and the settings popover: axe clean, screenshots at 375/1280 in both themes", async () => {
    await openWatch();
    await page.evaluate((sel) => document.querySelector<HTMLVideoElement>(sel)!.pause(), PLAYER);
    await page.waitForSelector("[data-testid=player-wrapper][data-paused=true]");
    // The like/dislike buttons are not the player's (reaction-buttons.astro); they fail
    // label-content-name-mismatch on their own and are left to their owner.
    await expectAccessible(page, "watch page player (paused, controls shown)", { exclude: NOT_THE_PLAYER });
    await shootThemes(page, "player-controls");

    await page.setViewportSize({ width: 375, height: 812 });
    await page.click("[data-testid=settings-button]");
    await page.waitForSelector("[data-testid=settings-menu]:not([hidden])");
    // On a phone, picture-in-picture and theater live in the popover.
    expect(await page.isVisible("[data-testid=theater-item]")).toBe(true);
    expect(await page.isVisible("[data-testid=theater-button]")).toBe(false);
    await expectAccessible(page, "player settings popover (375 px)", { exclude: NOT_THE_PLAYER });
    await page.screenshot({ path: join(process.cwd(), "reports", "screenshots", "player-settings-375.png") });
    await page.keyboard.press("Escape");
    await page.setViewportSize({ width: 1280, height: 800 });
    // The quality list on a desktop, opened from the keyboard: focus lands on the checked row.
    await page.focus("[data-testid=settings-button]");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=menu-option]");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-checked"))).toBe("true");
    await page.screenshot({
      path: join(process.cwd(), "reports", "screenshots", "player-quality-menu-1280.png"),
    });
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "settings-button",
    );
    expect(pageErrors).toEqual([]);
  });

  it("the studio's Preview is the same player, mounted only when opened, without autoplay", async () => {
    await page.goto(`${stack.origin}/login?next=%2Fstudio%2F${videoId}`);
    await page.waitForSelector("[data-testid=auth-nav][data-state=anonymous]", { timeout: 30_000 });
    await page.fill("[data-testid=login-email]", owner.email);
    await page.fill("[data-testid=login-password]", owner.password);
    await Promise.all([
      page.waitForURL(`${stack.origin}/studio/${videoId}`),
      page.click("[data-testid=login-submit]"),
    ]);
    await page.waitForSelector("[data-testid=studio-manage][data-state=ready]", { timeout: 30_000 });
    // Closed: nothing loaded.
    expect(await page.evaluate(() => (window as PlayerWindow).__player)).toBeUndefined();
    await page.click("[data-testid=studio-preview] summary");
    await page.waitForFunction(
      () => ((window as PlayerWindow).__player?.hls?.levels.length ?? 0) >= 2,
      undefined,
      {
        timeout: 30_000,
      },
    );
    await page.waitForSelector("[data-testid=studio-preview] [data-testid=player-controls]:not([hidden])");
    expect((await media(page)).paused).toBe(true);
    await page.screenshot({
      path: join(process.cwd(), "reports", "screenshots", "player-studio-preview-1280.png"),
    });
    // Closing pauses it.
    await page.evaluate((sel) => document.querySelector<HTMLVideoElement>(sel)!.play(), PLAYER);
    await page.click("[data-testid=studio-preview] summary");
    await expect.poll(async () => (await media(page)).paused, { timeout: 10_000 }).toBe(true);
  });
});
