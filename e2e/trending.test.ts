/**
 * `/trending` in Chromium on the real stack (ADR 0022). Before anything happened the page
 * shows its empty state. Then real activity through the API — two uploaded, transcoded
 * videos; two browsers (cookies) watch the first and like it, one watches the second — the
 * view counter flushes (hourly views), the cron runs (`/__scheduled`) and ranks them: the
 * page lists the first at #1, the second at #2, with the shared video card. Axe and
 * screenshots at 375/1280 px in both themes, for the ranked page and the empty state.
 */
import type { TrendingResponse } from "@streamline/contracts";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import { expectAccessible, shootThemes } from "./axe.ts";
import {
  api,
  openChromium,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
  uploadFile,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e trending", { ffmpeg: true, chromium: true });

type Video = {
  id: string;
  status: string;
  viewCount: number;
  durationSec: number | null;
  playback?: { viewToken?: string };
};

describe.skipIf(!ready)("/trending (real stack + Chromium)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let page: Page;
  let source: string;
  let owner: Awaited<ReturnType<typeof signUpViaApi>>;
  let pageErrors: string[] = [];

  /** One browser (its own cookie) plays `videoId` long enough for a counted view. */
  async function watch(videoId: string) {
    const got = await fetch(`${stack.origin}/api/videos/${videoId}`);
    const cookie = (got.headers.get("set-cookie") ?? "").split(";")[0]!;
    const video = (await got.json()) as Video;
    const d = video.durationSec ?? 2;
    // A 2 s video counts after half of it played (the server clamps to wall time + 2 s).
    for (const positionSec of [d * 0.3, d * 0.6, d * 0.9]) {
      const body = { viewToken: video.playback?.viewToken, positionSec, playedSec: 0.5 };
      const res = await api(stack.origin, "/api/views", { method: "POST", json: body, headers: { cookie } });
      expect(res.status).toBe(202);
    }
  }

  beforeAll(async () => {
    [stack, { "clip-640x360-2s.mp4": source }] = await Promise.all([
      startE2EStack({
        edgeVars: { VIEW_FLUSH_SECONDS: "1" },
      }),
      ensureFixtures(["clip-640x360-2s.mp4"]),
    ]);
    owner = await signUpViaApi(stack.origin, "trend");
    ({ browser, page, pageErrors } = await openChromium());
    page.on("response", (r) => {
      if (r.status() >= 400 && r.url().includes("/api/trending")) pageErrors.push(`${r.status()} ${r.url()}`);
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("shows the empty state before anything is trending", async () => {
    await page.goto(`${stack.origin}/trending`);
    await page.waitForSelector("[data-testid=trending][data-state=empty]");
    expect(await page.isVisible("[data-testid=trending-empty]")).toBe(true);
    expect(await page.getAttribute("[data-testid=trending-browse]", "href")).toBe("/");
    await expectAccessible(page, "/trending (empty)");
    await shootThemes(page, "trending-empty");
    expect(pageErrors).toEqual([]);
  });

  it("ranks the videos people watched and liked, best first", async () => {
    const uploads = [];
    for (const title of ["Harbour at dawn", "Quiet canal"]) {
      uploads.push((await uploadFile(stack.origin, source, { token: owner.token, title })).videoId);
    }
    const [first, second] = uploads as [string, string];
    for (const id of uploads)
      await waitForVideo<Video>(stack.origin, id, (v) => v.status === "ready", 120_000, owner.token);
    await watch(first);
    await watch(first);
    await watch(second);
    const fan = await signUpViaApi(stack.origin, "trendfan");
    const like = await api(stack.origin, `/api/videos/${first}/reaction`, {
      method: "PUT",
      token: fan.token,
      json: { value: "like" },
    });
    expect(like.status).toBe(200);
    // Views reach D1 with the counters' next flush (1 s); the cron then ranks them.
    await expect
      .poll(
        async () => {
          await fetch(`${stack.origin}/__scheduled`);
          return (await api<TrendingResponse>(stack.origin, "/api/trending")).body.videos.map((v) => v.id);
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toEqual([first, second]);

    await page.goto(`${stack.origin}/trending`);
    await page.waitForSelector("[data-testid=trending][data-state=ready]");
    const cards = await page.$$eval("[data-testid=trending-grid] [data-testid=video-card]", (links) =>
      links.map((a) => (a as HTMLElement).dataset.videoId),
    );
    expect(cards).toEqual([first, second]);
    expect(await page.textContent("[data-testid=trending-grid] [data-testid=video-title]")).toBe(
      "Harbour at dawn",
    );
    const badge = await page.$eval(
      "[data-testid=trending-grid] .card-thumb",
      (el) => getComputedStyle(el, "::before").content,
    );
    expect(badge).toContain("#");
    expect(await page.textContent("[data-testid=trending-updated]")).toMatch(/^Updated /);
    expect(await page.isHidden("[data-testid=trending-load-more]")).toBe(true);
    await expectAccessible(page, "/trending");
    await shootThemes(page, "trending");
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
