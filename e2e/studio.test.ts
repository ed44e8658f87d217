/**
 * The studio on the real stack in Chromium: a creator logs in through /login, finds a video
 * uploaded through the API in /studio, renames it on its manage page (the watch page follows),
 * adds an SRT caption track through the page (the master served to the player gains a
 * SUBTITLES group and the <video> a showing text track in that language), scrubs with the
 * transcoder's trick-play thumbnails, replaces the poster, and deletes the video (the API
 * answers 404 afterwards). Studio pages must not log a single console error.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../scripts/lib/stack.ts";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import {
  api,
  CHROMIUM,
  CHROMIUM_ARGS,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
  uploadFile,
} from "./support.ts";

const ready = toolsAvailable("e2e studio", { ffmpeg: true, chromium: true });
/** `HTMLTrackElement.LOADED`. */
const HTMLTrackElementLoaded = 2;

type Video = { id: string; title: string; description: string; visibility: string };

const SRT = [
  "1",
  "00:00:00,200 --> 00:00:01,800",
  "Bom dia do porto.",
  "",
  "2",
  "00:00:02,000 --> 00:00:03,800",
  "Os barcos saem cedo.",
  "",
].join("\n");

/** The second cue ends before it starts: the edge names it in a 422. */
const BAD_SRT = "1\n00:00:00,200 --> 00:00:01,800\nfine\n\n2\n00:00:03,000 --> 00:00:02,000\nbackwards\n";

describe.skipIf(!ready)("studio (real stack + Chromium)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let page: Page;
  let account: Awaited<ReturnType<typeof signUpViaApi>>;
  let videoId: string;
  let source: string;
  /** Console errors, prefixed with the page's path so a failure says where. */
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    [stack, { "sd-854x480-4s.mp4": source }] = await Promise.all([
      startE2EStack(),
      ensureFixtures(["sd-854x480-4s.mp4"]),
    ]);
    account = await signUpViaApi(stack.origin, "studio");
    ({ videoId } = await uploadFile(stack.origin, source, {
      title: "Studio original",
      token: account.token,
    }));
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

  /** Errors on studio pages, minus the browser's log lines for the 400/422 this suite provokes on purpose. */
  const studioErrors = () =>
    consoleErrors.filter(
      (e) =>
        (e.startsWith("/studio") || e.startsWith("/login")) &&
        !/Failed to load resource: the server responded with a status of (400|422)/.test(e),
    );

  it("logs in through /login and lists the video in /studio, in whatever state it is", async () => {
    await page.goto(`${stack.origin}/studio`);
    // Anonymous: sent to log in, and back afterwards.
    await page.waitForURL(/\/login\?next=%2Fstudio$/, { timeout: 15_000 });
    await page.waitForSelector("[data-testid=auth-nav][data-state=anonymous]");
    // Signed out is the expected answer, not an error: no refused refresh in the console.
    expect(consoleErrors).toEqual([]);
    await page.fill("[data-testid=login-email]", account.email);
    await page.fill("[data-testid=login-password]", account.password);
    await Promise.all([page.waitForURL(`${stack.origin}/studio`), page.click("[data-testid=login-submit]")]);
    await page.waitForSelector("[data-testid=studio][data-state=ready]", { timeout: 15_000 });
    // Studio is a link in the account menu (closed): present, not shown.
    await page.waitForSelector("[data-testid=auth-nav][data-state=signed-in] [data-testid=nav-studio]", {
      state: "attached",
    });

    const row = page.locator(`[data-testid=studio-video][data-video-id=${videoId}]`);
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator("[data-testid=studio-video-title]").textContent()).toBe("Studio original");
    expect(await row.locator("[data-testid=studio-video-visibility]").textContent()).toBe("Public");
    expect(await row.locator("[data-testid=studio-watch-link]").getAttribute("href")).toBe(
      `/watch/${videoId}`,
    );

    // The row follows the transcode live until the video is ready.
    await expect
      .poll(() => row.locator("[data-testid=studio-video-status]").textContent(), { timeout: 180_000 })
      .toBe("Ready");
    expect(await row.getAttribute("data-status")).toBe("ready");
  });

  it("keeps the header on one line at 390 px: no sideways scrolling, signed in or not", async () => {
    const narrow = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const overflow = () =>
      narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await narrow.goto(`${stack.origin}/`);
    await narrow.waitForSelector("[data-testid=auth-nav][data-state=anonymous] [data-testid=nav-signup]");
    expect(await overflow()).toBe(0);
    const login = (await narrow.locator("[data-testid=nav-login]").boundingBox())!;
    const signup = (await narrow.locator("[data-testid=nav-signup]").boundingBox())!;
    expect(Math.abs(login.y - signup.y)).toBeLessThan(2); // side by side, not wrapped
    expect(login.height).toBeLessThan(40);
    await narrow.close();

    // The signed-in header (Studio, @handle, Log out) on the studio page itself.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector("[data-testid=studio][data-state=ready]", { timeout: 15_000 });
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    ).toBe(0);
    expect(await page.isVisible("[data-testid=account-menu-button]")).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("renames the video on its manage page; API validation shows beside the field; the watch page follows", async () => {
    const row = page.locator(`[data-testid=studio-video][data-video-id=${videoId}]`);
    await Promise.all([
      page.waitForURL(`${stack.origin}/studio/${videoId}`),
      row.locator("[data-testid=studio-manage-link]").click(),
    ]);
    await page.waitForSelector("[data-testid=studio-manage][data-state=ready]", { timeout: 15_000 });
    expect(await page.inputValue("[data-testid=edit-title]")).toBe("Studio original");

    // A blank title goes to the API, whose validation error lands next to the field.
    await page.fill("[data-testid=edit-title]", "   ");
    await page.click("[data-testid=save-details]");
    await page.waitForSelector("[data-testid=title-error]:not([hidden])");
    expect(await page.textContent("[data-testid=title-error]")).toBe("Give the video a title.");
    expect(await page.getAttribute("[data-testid=edit-title]", "aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("edit-title");

    await page.fill("[data-testid=edit-title]", "Renamed in the studio");
    await page.fill("[data-testid=edit-description]", "Boats, a harbour, first light.");
    await page.check("[data-testid=visibility-unlisted]");
    await page.click("[data-testid=save-details]");
    await expect.poll(() => page.textContent("[data-testid=details-status]")).toBe("Saved.");
    await page.waitForSelector("[data-testid=title-error]", { state: "hidden" });
    expect(await page.textContent("[data-testid=manage-title]")).toBe("Renamed in the studio");

    const saved = await api<Video>(stack.origin, `/api/videos/${videoId}`, { token: account.token });
    expect(saved.body).toMatchObject({
      title: "Renamed in the studio",
      description: "Boats, a harbour, first light.",
      visibility: "unlisted",
    });

    await page.goto(`${stack.origin}/watch/${videoId}`);
    await expect
      .poll(() => page.textContent("[data-testid=video-title]"), { timeout: 15_000 })
      .toBe("Renamed in the studio");
  });

  it("someone else opening the manage page of a video they can watch gets 'not found', not an editor", async () => {
    const other = await signUpViaApi(stack.origin, "studio_other");
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const visitor = await context.newPage();
      await visitor.goto(`${stack.origin}/login?next=${encodeURIComponent(`/studio/${videoId}`)}`);
      await visitor.fill("[data-testid=login-email]", other.email);
      await visitor.fill("[data-testid=login-password]", other.password);
      await Promise.all([
        visitor.waitForURL(`${stack.origin}/studio/${videoId}`),
        visitor.click("[data-testid=login-submit]"),
      ]);
      await visitor.waitForSelector("[data-testid=studio-manage][data-state=not-found]", { timeout: 15_000 });
      expect(await visitor.isVisible("[data-testid=not-found]")).toBe(true);
      expect(await visitor.isVisible("[data-testid=edit-title]")).toBe(false);
      expect(await visitor.textContent("[data-testid=studio-manage] [data-role=heading]")).toBe(
        "Video not found",
      );
      // The video itself is unlisted, so the API shows it to them: only editing is refused.
      const seen = await api<{ owned: boolean }>(stack.origin, `/api/videos/${videoId}`, {
        token: other.token,
      });
      expect(seen.status).toBe(200);
      expect(seen.body.owned).toBe(false);
    } finally {
      await context.close();
    }
  });

  it("the Downloads switch saves at once; viewers then reach the MP4 route instead of a 404", async () => {
    await page.goto(`${stack.origin}/studio/${videoId}`);
    await page.waitForSelector("[data-testid=studio-manage][data-state=ready]", { timeout: 15_000 });
    expect(await page.isChecked("[data-testid=download-enabled]")).toBe(false);
    expect((await api(stack.origin, `/api/videos/${videoId}/download`)).status).toBe(404);
    await page.check("[data-testid=download-enabled]");
    await expect
      .poll(() => page.textContent("[data-testid=download-status]"))
      .toBe("Viewers can download this video.");
    const saved = await api<{ download?: { enabled: boolean } }>(stack.origin, `/api/videos/${videoId}`, {
      token: account.token,
    });
    expect(saved.body.download).toEqual({ enabled: true });
    // 202 (being prepared) once ready, 409 while the transcode still runs: no longer hidden.
    expect([202, 409]).toContain((await api(stack.origin, `/api/videos/${videoId}/download`)).status);
    const panel = page.locator("[data-testid=download-section]");
    await panel.screenshot({ path: join(ROOT, "reports", "screenshots", "studio-download-panel-1280.png") });
    await page.setViewportSize({ width: 375, height: 900 });
    await panel.screenshot({ path: join(ROOT, "reports", "screenshots", "studio-download-panel-375.png") });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("uploads an SRT caption track through the page; the player gets a SUBTITLES group and a showing text track", async () => {
    await page.goto(`${stack.origin}/studio/${videoId}`);
    await page.waitForSelector("[data-testid=studio-manage][data-state=ready]", { timeout: 15_000 });
    expect(await page.isVisible("[data-testid=captions-empty]")).toBe(true);

    // A broken file: the edge's message names the bad cue.
    await page.setInputFiles("[data-testid=caption-file]", {
      name: "broken.srt",
      mimeType: "application/x-subrip",
      buffer: Buffer.from(BAD_SRT),
    });
    await page.fill("[data-testid=caption-lang]", "pt-br");
    await page.click("[data-testid=caption-upload]");
    await page.waitForSelector("[data-testid=caption-error]:not([hidden])");
    expect(await page.textContent("[data-testid=caption-error]")).toMatch(/cue 2/);

    // The real one, as the default track; the language tag is normalised, the label defaults to its name.
    await page.setInputFiles("[data-testid=caption-file]", {
      name: "porto.srt",
      mimeType: "application/x-subrip",
      buffer: Buffer.from(SRT),
    });
    await page.fill("[data-testid=caption-lang]", "pt-br");
    await page.check("[data-testid=caption-default]");
    await page.click("[data-testid=caption-upload]");
    const track = page.locator("[data-testid=caption-track][data-lang=pt-BR]");
    await track.waitFor({ timeout: 15_000 });
    expect(await track.getAttribute("data-default")).toBe("true");
    expect(await track.textContent()).toContain("Brazilian Portuguese");
    expect(await track.textContent()).toContain("2 cues");
    expect(await page.isVisible("[data-testid=caption-error]")).toBe(false);
    expect(await page.textContent("[data-testid=caption-status]")).toMatch(/uploaded \(2 cues\)/);

    // The watch page: the master the player loads lists the track, and the element shows it.
    const master = page.waitForResponse((r) => /\/v\/[^/]+\/[^/]+\/master\.m3u8$/.test(r.url()), {
      timeout: 30_000,
    });
    await page.goto(`${stack.origin}/watch/${videoId}`);
    const masterText = await (await master).text();
    expect(masterText).toContain("TYPE=SUBTITLES");
    expect(masterText).toMatch(/LANGUAGE="pt-BR"[^\n]*DEFAULT=YES/);

    await page.waitForFunction(
      () => {
        const v = document.querySelector<HTMLVideoElement>("video[data-testid=player]");
        const t = v && [...v.textTracks].find((x) => x.language === "pt-BR");
        return !!t && t.mode === "showing" && (t.cues?.length ?? 0) > 0;
      },
      undefined,
      { timeout: 30_000 },
    );
    const tracks = await page.evaluate(() =>
      [...document.querySelector<HTMLVideoElement>("video[data-testid=player]")!.textTracks].map((t) => ({
        kind: t.kind,
        language: t.language,
        label: t.label,
        mode: t.mode,
        cues: t.cues?.length ?? 0,
      })),
    );
    expect(tracks).toEqual([
      { kind: "subtitles", language: "pt-BR", label: "Brazilian Portuguese", mode: "showing", cues: 2 },
    ]);
  });

  // hls.js gives each caption track a `<track src="data:,WEBVTT">` because Chromium's native
  // CC menu only lists tracks that loaded: the page CSP allows `media-src data:` for that.
  it("the native CC menu can offer the track (its <track> element loads under the page CSP)", async () => {
    expect(page.url()).toBe(`${stack.origin}/watch/${videoId}`);
    const state = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLTrackElement>("video[data-testid=player] track")].map((t) => ({
        srclang: t.srclang,
        readyState: t.readyState,
      })),
    );
    expect(state).toEqual([{ srclang: "pt-BR", readyState: HTMLTrackElementLoaded }]);
    expect(consoleErrors.filter((e) => /Content Security Policy/.test(e))).toEqual([]);
  });

  it("shows the transcoder's trick-play previews over the player: hover shows the tile, a click seeks, arrows move", async () => {
    const { body: video } = await api<{ trickplayUrl: string | null }>(
      stack.origin,
      `/api/videos/${videoId}`,
      {
        token: account.token,
      },
    );
    expect(video.trickplayUrl).toMatch(new RegExp(`^/v/${videoId}/[^/]+/trickplay/[^/]+\\.vtt$`));

    await page.goto(`${stack.origin}/watch/${videoId}`);
    await page.waitForSelector("[data-testid=seek-preview][data-previews=ready]", { timeout: 30_000 });
    await page.waitForFunction(() => Number.isFinite(document.querySelector("video")?.duration));
    await page.evaluate(() => document.querySelector("video")!.pause());
    const bar = page.locator("[data-testid=seek-bar]");
    const box = (await bar.boundingBox())!;

    // Hover three quarters in: the tile for that time, from a sprite beside the signed VTT.
    await page.mouse.move(box.x + box.width / 2, box.y - 80);
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 4 });
    await page.waitForSelector("[data-testid=seek-preview-tooltip]:not([hidden])");
    const thumb = await page.evaluate(() => {
      const image = document.querySelector<HTMLElement>("[data-role=seek-thumb-image]")!;
      return { url: image.style.backgroundImage, position: image.style.backgroundPosition };
    });
    expect(thumb.url).toMatch(new RegExp(`/v/${videoId}/[^/]+/trickplay/sprite-\\d+\\.jpg`));
    // 4 s at one tile per 2 s: the second tile, beside the first.
    expect(thumb.position).toBe("-160px 0px");
    // The sprite really loads (same origin, signed, allowed by the CSP).
    const loaded = await page.evaluate(
      (url) =>
        new Promise<boolean>((resolve) => {
          const img = new Image();
          img.onload = () => resolve(img.naturalWidth > 0);
          img.onerror = () => resolve(false);
          img.src = url;
        }),
      thumb.url.replace(/^url\("(.*)"\)$/, "$1").replace(/\\/g, ""),
    );
    expect(loaded).toBe(true);

    // A click seeks there; as a slider, the keyboard moves it too.
    await page.mouse.down();
    await page.mouse.up();
    await expect
      .poll(() => page.evaluate(() => document.querySelector("video")!.currentTime))
      .toBeGreaterThan(2.5);
    await bar.focus();
    await page.keyboard.press("Home");
    expect(await page.evaluate(() => document.querySelector("video")!.currentTime)).toBe(0);
    await page.keyboard.press("ArrowRight");
    expect(await bar.getAttribute("aria-valuetext")).toMatch(/^0:0[1-5] of 0:0[34]$/);
  });

  it("replaces the poster: picked, uploaded, resized by the transcoder, shown on the page and by the API", async () => {
    const before = await api<{ thumbnailUrl: string | null }>(stack.origin, `/api/videos/${videoId}`, {
      token: account.token,
    });
    const file = (url: string | null) => url?.split("/").pop();
    expect(file(before.body.thumbnailUrl)).toBe("poster.jpg");
    const image = join(stack.dataDir, "custom-poster.png");
    await promisify(execFile)("ffmpeg", [
      ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "smptebars=size=1280x720"],
      ...["-frames:v", "1", image],
    ]);

    await page.goto(`${stack.origin}/studio/${videoId}`);
    await page.waitForSelector("[data-testid=studio-manage][data-state=ready]", { timeout: 15_000 });
    await page.setInputFiles("[data-testid=poster-input]", image);
    await page.waitForSelector("[data-testid=poster-form][data-state=selected]");
    await page.click("[data-testid=poster-upload]");
    await page.waitForSelector("[data-testid=poster-form][data-state=done]", { timeout: 70_000 });
    expect(await page.textContent("[data-testid=poster-status]")).toBe("Poster updated.");
    const shown = await page.getAttribute("[data-testid=manage-poster]", "src");
    expect(file(shown)).toMatch(/^poster-.+\.jpg$/);
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>("[data-testid=manage-poster]")!;
      return img.complete && img.naturalWidth > 0;
    });

    const after = await api<{ thumbnailUrl: string | null }>(stack.origin, `/api/videos/${videoId}`, {
      token: account.token,
    });
    expect(file(after.body.thumbnailUrl)).toBe(file(shown));
  });

  it("deletes the video after confirming; the studio says so and the API answers 404", async () => {
    await page.goto(`${stack.origin}/studio/${videoId}`);
    await page.waitForSelector("[data-testid=studio-manage][data-state=ready]", { timeout: 15_000 });

    // Cancelling keeps it.
    await page.click("[data-testid=delete-video]");
    await page.waitForSelector("[data-testid=delete-dialog][open]");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "cancel-delete",
    );
    await page.keyboard.press("Escape");
    await page.waitForSelector("[data-testid=delete-dialog]:not([open])", { state: "attached" });
    expect((await api(stack.origin, `/api/videos/${videoId}`, { token: account.token })).status).toBe(200);

    await page.click("[data-testid=delete-video]");
    await Promise.all([
      page.waitForURL(`${stack.origin}/studio`),
      page.click("[data-testid=confirm-delete]"),
    ]);
    await page.waitForSelector("[data-testid=studio][data-state=empty]", { timeout: 15_000 });
    expect(await page.textContent("[data-testid=studio-notice]")).toBe(
      "“Renamed in the studio” was deleted.",
    );

    const gone = await api(stack.origin, `/api/videos/${videoId}`, { token: account.token });
    expect(gone.status).toBe(404);
    expect(studioErrors()).toEqual([]);
  });
});
