/**
 * Progressive availability through the real stack: a 1080p source becomes `playable`
 * (lowest rung published) well before it is `ready`, and Chromium plays that rung with
 * hls.js while the higher rungs are still encoding.
 */
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
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

const ready = toolsAvailable("e2e progressive", { ffmpeg: true, chromium: true });

type Video = {
  status: string;
  playable: boolean;
  renditions: { name: string; kind?: string }[];
  failureReason?: string;
};

describe.skipIf(!ready)("progressive availability (real stack)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;

  beforeAll(async () => {
    stack = await startE2EStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("is playable before it is ready, and the first rung plays while the rest encode", async () => {
    const { "landscape-1080p-30s.mp4": source } = await ensureFixtures(["landscape-1080p-30s.mp4"]);
    const { token } = await signUpViaApi(stack.origin, "progressive");
    const { videoId } = await uploadFile(stack.origin, source, { title: "Progressive 1080p", token });
    const completedAt = Date.now();

    // Poll fast: record when it became playable and what state it was in at that moment.
    const firstPlayable = await vi.waitFor(
      async () => {
        const { body } = await api<Video>(stack.origin, `/api/videos/${videoId}`, { token });
        if (!body.playable && body.status !== "failed")
          throw new Error(`never became playable (${body.status})`);
        return { at: Date.now(), video: body };
      },
      { timeout: 120_000, interval: 200 },
    );
    if (firstPlayable.video.status === "failed")
      throw new Error(`failed: ${firstPlayable.video.failureReason}\n${stack.output()}`);
    expect(firstPlayable, "never became playable").toBeDefined();
    const secondsToPlayable = (firstPlayable!.at - completedAt) / 1000;
    console.log(`e2e progressive: playable ${secondsToPlayable.toFixed(1)} s after completing the upload`);
    expect(firstPlayable!.video.status).toBe("processing");
    const videoRungs = firstPlayable!.video.renditions.filter((r) => r.kind !== "audio");
    expect(videoRungs.length).toBeLessThan(5);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(`${stack.origin}/watch/${videoId}`);
      await page.waitForFunction(
        () => {
          const v = document.querySelector("video[data-testid=player]") as HTMLVideoElement | null;
          if (v?.paused) {
            v.muted = true;
            void v.play().catch(() => {});
          }
          return (v?.currentTime ?? 0) > 1;
        },
        undefined,
        { timeout: 60_000, polling: 250 },
      );
      // Playback has started: the ladder must still be encoding at this moment.
      const during = await api<Video>(stack.origin, `/api/videos/${videoId}`, { token });
      expect(during.body.status).toBe("processing");
    } finally {
      await browser.close();
    }

    const done = await vi.waitFor(
      async () => {
        const { body } = await api<Video>(stack.origin, `/api/videos/${videoId}`, { token });
        if (body.status === "ready" || body.status === "failed") return body;
        throw new Error(`never became ready (${body.status})`);
      },
      { timeout: 300_000, interval: 1000 },
    );
    expect(done.status, done.failureReason).toBe("ready");
    expect(done.renditions.map((r) => r.name)).toEqual(expect.arrayContaining(["1080p", "720p"]));
  });
});
