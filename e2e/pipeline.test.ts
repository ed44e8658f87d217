/**
 * The backbone, end to end on the real stack: wrangler dev (edge + site) + embedded S3 +
 * the transcoder with real ffmpeg. Upload in two presigned parts → queue → transcode →
 * signed HLS read by ffprobe through the edge → played by hls.js in Chromium; then the same
 * video as a static MP4 (the fleet remuxes it; ffprobe reads 10 s) and as a clip (hls.js in
 * Chromium starts it at the source's media time + 4 s, ADR 0027). The upload
 * happens once in beforeAll; each test only reads it, so any one runs alone (`-t`).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../scripts/lib/stack.ts";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import {
  api,
  CHROMIUM,
  CHROMIUM_ARGS,
  ffprobeDuration,
  makeTwoPartSource,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
  uploadFile,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e pipeline", { ffmpeg: true, chromium: true });

type Video = {
  id: string;
  status: string;
  playable: boolean;
  failureReason?: string;
  failure?: { code: string; message: string; detail?: string };
  playback?: { hls: string; dash?: string };
  renditions: { name: string }[];
  durationSec: number;
};

describe.skipIf(!ready)("upload → transcode → signed HLS (real stack)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  /** Uploads belong to an account: sign one up through the API. */
  let token: string;
  /** The two-part 720p upload, settled (ready or failed); several tests look at it, none changes it. */
  let upload: Awaited<ReturnType<typeof uploadFile>>;
  let settledVideo: Video;
  const settled = (v: Video) => v.status === "ready" || v.status === "failed";

  beforeAll(async () => {
    stack = await startE2EStack();
    ({ token } = await signUpViaApi(stack.origin, "pipeline"));
    const source = makeTwoPartSource(mkdtempSync(join(tmpdir(), "streamline-src-")));
    upload = await uploadFile(stack.origin, source, { title: "E2E 720p", token });
    settledVideo = await waitForVideo<Video>(stack.origin, upload.videoId, settled, 180_000, token).catch(
      (err) => {
        throw new Error(`${err}\n${stack.output()}`);
      },
    );
  }, 540_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("reports every component healthy", async () => {
    const health = await api<{ ok: boolean; components: Record<string, { ok: boolean }> }>(
      stack.origin,
      "/api/health",
    );
    expect(health.status, JSON.stringify(health.body)).toBe(200);
    expect(Object.values(health.body.components).every((c) => c.ok)).toBe(true);
  });

  it("uploads in two parts, transcodes, and serves HLS that ffprobe reads through the edge", async () => {
    expect(upload.partCount).toBeGreaterThanOrEqual(2);
    const video = settledVideo;
    expect(video.status, video.failureReason).toBe("ready");
    expect(video.playable).toBe(true);
    expect(video.renditions.map((r) => r.name)).toContain("720p");
    expect(video.renditions.map((r) => r.name)).not.toContain("1080p");

    const master = await fetch(`${stack.origin}${video.playback!.hls}`);
    expect(master.status).toBe(200);
    expect(master.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    const text = await master.text();
    expect(text).toContain("#EXT-X-STREAM-INF");
    expect(text).toMatch(/CODECS="avc1\.[0-9a-f]{6}/);

    const duration = await ffprobeDuration(`${stack.origin}${video.playback!.hls}`);
    expect(Math.abs(duration - 10)).toBeLessThanOrEqual(0.5);
  });

  it("plays in Chromium with hls.js on the watch page", async () => {
    expect(settledVideo.status, settledVideo.failureReason).toBe("ready");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(`${stack.origin}/watch/${upload.videoId}`);
      const video = page.locator("video[data-testid=player]");
      await video.waitFor({ timeout: 30_000 });
      await page.evaluate(() => {
        const v = document.querySelector("video[data-testid=player]") as HTMLVideoElement;
        v.muted = true;
        void v.play();
      });
      await page.waitForFunction(
        () => (document.querySelector("video[data-testid=player]") as HTMLVideoElement).currentTime > 1.5,
        undefined,
        { timeout: 60_000 },
      );
      const t = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
      expect(t).toBeGreaterThan(1.5);
    } finally {
      await browser.close();
    }
  });

  it("serves DASH beside HLS from the same files: ffprobe reads it through the edge, dash.js plays it", async () => {
    expect(settledVideo.status, settledVideo.failureReason).toBe("ready");
    const dash = `${stack.origin}${settledVideo.playback!.dash}`;
    expect(dash).toMatch(/\/manifest\.mpd$/);
    const res = await fetch(dash);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/dash+xml");
    // The manifest names the HLS renditions' own files: no second copy of the media.
    const mpd = await res.text();
    for (const r of settledVideo.renditions) expect(mpd).toContain(`media="${r.name}/seg_$Number%05d$.m4s"`);
    expect(Math.abs((await ffprobeDuration(dash)) - 10)).toBeLessThanOrEqual(0.5);

    // dash.js from npm, in a page served from another loopback origin (the media answers CORS
    // for any origin; a page Chromium cannot place on loopback may not reach it at all).
    const dashjs = readFileSync(join(ROOT, "node_modules/dashjs/dist/dash.all.min.js"), "utf8");
    const host = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!doctype html><video muted playsinline></video><script>${dashjs}</script>`);
    });
    await new Promise<void>((r) => host.listen(0, "127.0.0.1", r));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(host.address() as AddressInfo).port}/`);
      await page.evaluate((url) => {
        const w = window as unknown as {
          dashjs: { MediaPlayer(): { create(): DashPlayer } };
          player: DashPlayer;
        };
        type DashPlayer = { initialize(v: HTMLVideoElement, url: string, autoplay: boolean): void };
        w.player = w.dashjs.MediaPlayer().create();
        w.player.initialize(document.querySelector("video")!, url, true);
      }, dash);
      await page.waitForFunction(() => document.querySelector("video")!.currentTime > 1.5, undefined, {
        timeout: 60_000,
      });
      const videoRungs = await page.evaluate(
        () =>
          (
            window as unknown as { player: { getBitrateInfoListFor(t: string): unknown[] } }
          ).player.getBitrateInfoListFor("video").length,
      );
      expect(videoRungs).toBe(settledVideo.renditions.filter((r) => r.name !== "audio").length);
    } finally {
      await browser.close();
      host.close();
    }
  });

  it("the MP4 download: 202 while the fleet remuxes, then 302 to a signed MP4 ffprobe reads as 10 s", async () => {
    expect(settledVideo.status, settledVideo.failureReason).toBe("ready");
    const path = `/api/videos/${upload.videoId}/download`;
    const first = await api<{ status: string; rung: string }>(stack.origin, path, { token });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: "preparing", rung: "720p" });
    let location: string | null = null;
    await expect
      .poll(
        async () => {
          const res = await fetch(`${stack.origin}${path}`, {
            headers: { authorization: `Bearer ${token}` },
            redirect: "manual",
          });
          await res.body?.cancel();
          location = res.headers.get("location");
          return res.status;
        },
        { timeout: 120_000, interval: 1000 },
      )
      .toBe(302);
    expect(location).toMatch(new RegExp(`^/v/${upload.videoId}/[^/]+/download/720p\\.mp4$`));
    const head = await fetch(`${stack.origin}${location}`, { method: "HEAD" });
    expect(head.headers.get("content-type")).toBe("video/mp4");
    expect(head.headers.get("content-disposition")).toMatch(/^attachment; filename=".+-720p\.mp4"$/);
    // Anyone else: 404 while downloads are off for the video.
    expect((await api(stack.origin, path)).status).toBe(404);
    const duration = await ffprobeDuration(`${stack.origin}${location}`);
    expect(Math.abs(duration - 10)).toBeLessThanOrEqual(0.5);
  });

  it("a clip plays in Chromium from the right second of its source", async () => {
    expect(settledVideo.status, settledVideo.failureReason).toBe("ready");
    const made = await api<Video & { clipOf: { videoId: string; startSec: number; endSec: number } }>(
      stack.origin,
      `/api/videos/${upload.videoId}/clips`,
      { method: "POST", token, json: { startSec: 4.5, endSec: 7.5, title: "The middle" } },
    );
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    // Snapped outward to the 4 s segment grid: [4, 8).
    expect(made.body.clipOf).toEqual({ videoId: upload.videoId, startSec: 4, endSec: 8 });
    expect(made.body.status).toBe("ready");
    expect(
      Math.abs((await ffprobeDuration(`${stack.origin}${made.body.playback!.hls}`)) - 4),
    ).toBeLessThanOrEqual(0.5);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      // Where each stream starts in its own media time: hls.js reports the PTS it maps to the
      // timeline's 0 (INIT_PTS_FOUND). The clip's must be its source's + clipOf.startSec.
      const hlsjs = readFileSync(join(ROOT, "node_modules/hls.js/dist/hls.min.js"), "utf8");
      await page.route(`${stack.origin}/__hls-probe`, (route) =>
        route.fulfill({
          contentType: "text/html",
          body: `<!doctype html><video muted playsinline></video><script>${hlsjs}</script>`,
        }),
      );
      const startPts = async (hlsUrl: string) => {
        await page.goto(`${stack.origin}/__hls-probe`);
        return page.evaluate(
          (url) =>
            new Promise<number>((resolve, reject) => {
              type Hls = {
                on(
                  e: string,
                  f: (e: string, d: { id: string; initPTS: number; timescale: number }) => void,
                ): void;
                loadSource(u: string): void;
                attachMedia(v: HTMLVideoElement): void;
              };
              const H = (window as unknown as { Hls: { new (): Hls; Events: Record<string, string> } }).Hls;
              const hls = new H();
              const video = document.querySelector("video")!;
              hls.on(H.Events.INIT_PTS_FOUND!, (_e, d) => {
                if (d.id === "main") resolve(d.initPTS / d.timescale);
              });
              hls.on(
                H.Events.ERROR!,
                (_e, d) =>
                  (d as unknown as { fatal: boolean }).fatal && reject(new Error("hls.js fatal error")),
              );
              hls.loadSource(url);
              hls.attachMedia(video);
              void video.play();
            }),
          hlsUrl,
        );
      };
      const clipPts = await startPts(`${stack.origin}${made.body.playback!.hls}`);
      const sourcePts = await startPts(`${stack.origin}${settledVideo.playback!.hls}`);
      console.log(
        `e2e clip: starts at media time ${clipPts.toFixed(3)} s, its source at ${sourcePts.toFixed(3)} s`,
      );
      expect(Math.abs(clipPts - sourcePts - 4)).toBeLessThanOrEqual(0.1);
      // It plays on from there.
      await page.goto(`${stack.origin}/watch/${made.body.id}`);
      await page.locator("video[data-testid=player]").waitFor({ timeout: 30_000 });
      await page.evaluate(() => {
        const v = document.querySelector("video[data-testid=player]") as HTMLVideoElement;
        v.muted = true;
        void v.play();
      });
      await page.waitForFunction(
        () => (document.querySelector("video[data-testid=player]") as HTMLVideoElement).currentTime > 1.5,
        undefined,
        { timeout: 60_000 },
      );
    } finally {
      await browser.close();
    }
  });

  it("a file that is not a video ends `failed` with a reason a person understands", async () => {
    const { "not-a-video.mp4": bogus } = await ensureFixtures(["not-a-video.mp4"]);
    const up = await uploadFile(stack.origin, bogus, { token });
    const video = await waitForVideo<Video>(stack.origin, up.videoId, settled, 180_000, token);
    expect(video.status).toBe("failed");
    // Everyone: the vocabulary sentence; the owner (this token): also the sanitized detail.
    expect(video.failureReason).toBe("The file is not a video.");
    expect(video.failure).toMatchObject({ code: "not_a_video" });
    expect(video.failure?.detail).toMatch(/not a playable video/);
  });
});
