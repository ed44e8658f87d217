/**
 * Creator analytics in Chromium on the real stack (ADR 0023). Real data through the API: a
 * short video is uploaded and transcoded, four browsers (cookies) with phone/desktop/tablet/tv
 * user agents play it — heartbeats with the traffic source the player would send — two users
 * subscribe and one likes it; the cron runs (`/__scheduled`, wrangler's --test-scheduled) and
 * rolls the day up. The owner opens /studio/analytics: the chart's bars and the table list the
 * same numbers; the video's Analytics tab shows the retention curve. Screenshots at 375/1280 px
 * in both themes; axe on both pages.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
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

const ready = toolsAvailable("e2e analytics", { ffmpeg: true, chromium: true });

type Video = {
  id: string;
  status: string;
  viewCount: number;
  durationSec: number | null;
  playback?: { viewToken?: string };
};
type Report = {
  days: { day: string; views: number }[];
  totals: { views: number; subscribersGained: number; likes: number };
  sources: { key: string; views: number }[];
  devices: { key: string; views: number }[];
};

const AGENTS: [string, string][] = [
  ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", "search"],
  [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
    "external",
  ],
  ["Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", "channel"],
  [
    "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 SamsungBrowser/4.0 TV Safari/537.36",
    "search",
  ],
];

describe.skipIf(!ready)("creator analytics (real stack + Chromium)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let page: Page;
  let owner: Awaited<ReturnType<typeof signUpViaApi>>;
  let videoId: string;
  let pageErrors: string[] = [];

  /** One browser's view: fetch the video (cookie + token), then heartbeats through the API. */
  async function watch(userAgent: string, source: string) {
    const got = await fetch(`${stack.origin}/api/videos/${videoId}`, {
      headers: { "user-agent": userAgent },
    });
    const cookie = (got.headers.get("set-cookie") ?? "").split(";")[0]!;
    const video = (await got.json()) as Video;
    const token = video.playback?.viewToken;
    const d = video.durationSec ?? 2;
    const headers = { cookie, "user-agent": userAgent };
    // A 2 s video counts after half of it played; positions land in the 25/50/75 % retention buckets.
    for (const [i, positionSec] of [d * 0.251, d * 0.501, d * 0.751].entries()) {
      const body = { viewToken: token, positionSec, playedSec: 0.5, ...(i === 0 ? { source } : {}) };
      const res = await api(stack.origin, "/api/views", { method: "POST", json: body, headers });
      expect(res.status).toBe(202);
    }
  }

  beforeAll(async () => {
    const t0 = Date.now();
    const step = (what: string) =>
      console.log(`e2e analytics: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    let source: string;
    [stack, { "clip-640x360-2s.mp4": source }] = await Promise.all([
      startE2EStack({
        edgeVars: { VIEW_FLUSH_SECONDS: "1" },
      }),
      ensureFixtures(["clip-640x360-2s.mp4"]),
    ]);
    step("stack up");
    owner = await signUpViaApi(stack.origin, "anown");
    const up = await uploadFile(stack.origin, source, { token: owner.token, title: "Tide tables" });
    videoId = up.videoId;
    ({ browser, page, pageErrors } = await openChromium());
    page.on("response", (r) => {
      if (r.status() >= 400 && /\/api\/(me\/analytics|videos\/[^/]+\/analytics)/.test(r.url()))
        pageErrors.push(`${r.status()} ${r.url()}`);
    });
    await waitForVideo<Video>(stack.origin, videoId, (v) => v.status === "ready", 120_000, owner.token);

    step("video ready");
    for (const [ua, src] of AGENTS) await watch(ua, src);
    const fans = await Promise.all([
      signUpViaApi(stack.origin, "anfan"),
      signUpViaApi(stack.origin, "anfan"),
    ]);
    for (const fan of fans)
      expect(
        (
          await api(stack.origin, `/api/channels/${owner.handle}/subscription`, {
            method: "PUT",
            token: fan.token,
          })
        ).status,
      ).toBe(200);
    const like = await api(stack.origin, `/api/videos/${videoId}/reaction`, {
      method: "PUT",
      token: fans[0]!.token,
      json: { value: "like" },
    });
    expect(like.status).toBe(200);
    // Counted views reach D1 with the counter's next flush (1 s); then the cron rolls the day up.
    // (vi.waitFor: expect.poll is for tests, not hooks.)
    await vi.waitFor(
      async () => expect((await api<Video>(stack.origin, `/api/videos/${videoId}`)).body.viewCount).toBe(4),
      { timeout: 30_000, interval: 500 },
    );
    step("views counted");
    const report = () => api<Report>(stack.origin, "/api/me/analytics", { token: owner.token });
    await vi.waitFor(
      async () => {
        await fetch(`${stack.origin}/__scheduled`);
        const r = (await report()).body;
        expect([r.totals.views, r.totals.subscribersGained, r.totals.likes]).toEqual([4, 2, 1]);
      },
      { timeout: 60_000, interval: 1000 },
    );

    step("rolled up");
    await page.goto(`${stack.origin}/login?next=%2Fstudio%2Fanalytics`);
    await page.waitForSelector("[data-testid=auth-nav][data-state=anonymous]", { timeout: 30_000 });
    await page.fill("[data-testid=login-email]", owner.email);
    await page.fill("[data-testid=login-password]", owner.password);
    await Promise.all([
      page.waitForURL(`${stack.origin}/studio/analytics`),
      page.click("[data-testid=login-submit]"),
    ]);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("the channel chart and its table list the same numbers; sources and devices counted", async () => {
    await page.waitForSelector("[data-testid=analytics][data-state=ready]", { timeout: 30_000 });
    const bars = await page.$$eval("[data-testid=analytics-chart] rect.bar", (rects) =>
      rects.map((r) => [r.getAttribute("data-day"), Number(r.getAttribute("data-value"))] as const),
    );
    expect(bars).toHaveLength(28);
    await page.click("[data-testid=analytics-table-toggle] summary");
    const rows = await page.$$eval("[data-testid=analytics-table] tbody tr", (trs) =>
      trs.map(
        (tr) => [(tr as HTMLElement).dataset.day, Number(tr.querySelectorAll("td")[0]?.textContent)] as const,
      ),
    );
    expect(rows).toEqual(bars);
    expect(bars.at(-1)?.[1]).toBe(4);
    expect(bars.slice(0, -1).every(([, v]) => v === 0)).toBe(true);
    expect(await page.textContent("[data-total=views] dd")).toBe("4");
    expect(await page.textContent("[data-total=subs] dd")).toBe("+2 / −0");
    expect(await page.textContent("[data-testid=analytics-sources] [data-source=search]")).toContain(
      "2 views",
    );
    expect(await page.textContent("[data-testid=analytics-devices] [data-device=tv]")).toContain("1 view ·");
    expect(await page.textContent("[data-testid=analytics-top] tbody")).toContain("Tide tables");

    // The 7-day preset asks again and redraws 7 bars that still agree with the table.
    await page.click("[data-range='7']");
    await page.waitForFunction(
      () => document.querySelectorAll("[data-testid=analytics-chart] rect.bar").length === 7,
    );
    expect(await page.$$eval("[data-testid=analytics-table] tbody tr", (t) => t.length)).toBe(7);
    await expectAccessible(page, "/studio/analytics");
    await shootThemes(page, "studio-analytics");
    expect(pageErrors).toEqual([]);
  });

  it("the video's Analytics tab shows its retention curve", async () => {
    await page.goto(`${stack.origin}/studio/${videoId}#analytics`);
    const tab = page.locator("#tab-analytics [data-testid=analytics]");
    await tab.locator("xpath=self::*[@data-state='ready']").waitFor({ timeout: 30_000 });
    expect(await page.getAttribute("[data-testid=analytics-tab]", "aria-selected")).toBe("true");
    const line = await page.getAttribute("[data-testid=retention-line]", "d");
    expect(line).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+){99}$/);
    await page.click("[data-testid=analytics-retention] details summary");
    const cells = await page.$$eval("[data-testid=retention-table] tbody tr", (trs) =>
      trs.map((tr) => [tr.querySelector("th")?.textContent, tr.querySelectorAll("td")[1]?.textContent]),
    );
    // Four viewers at 25, 50 and 75 %: equal samples, each the most watched point.
    expect(cells).toContainEqual(["25%", "4"]);
    expect(cells).toContainEqual(["50%", "4"]);
    expect(cells).toContainEqual(["75%", "4"]);
    expect(await page.textContent("#tab-analytics [data-total=views] dd")).toBe("4");
    await expectAccessible(page, "/studio/:id analytics tab");
    await shootThemes(page, "studio-video-analytics");
    expect(pageErrors).toEqual([]);
  });
});
