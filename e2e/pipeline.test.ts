/**
 * The backbone, end to end on the real stack: wrangler dev (edge + site) + embedded S3 +
 * the transcoder with real ffmpeg. Upload in two presigned parts → queue → transcode →
 * signed HLS read by ffprobe through the edge → played by hls.js in Chromium. The upload
 * happens once in beforeAll; each test only reads it, so any one runs alone (`-t`).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  playback?: { hls: string };
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
  });
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
