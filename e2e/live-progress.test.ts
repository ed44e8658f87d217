/**
 * Live progress, end to end on the real stack: a signed-in browser opens the watch page of a
 * video that is still transcoding, receives the VideoRoom's WebSocket frames, shows them per
 * rendition, and starts playing as soon as the first rendition is published — then picks up
 * the higher qualities as they are published — all without reloading the page. A second case
 * cuts the socket mid-transcode and checks the client reconnects with a new ticket and resyncs.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { WsMessage } from "@streamline/contracts";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../scripts/lib/stack.ts";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
  uploadFile,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e live progress", { ffmpeg: true, chromium: true });

type Video = { id: string; status: string; playable: boolean; renditions: { name: string; kind?: string }[] };

/** What the page saw, recorded by an init script from the first byte on. */
interface PageLog {
  stageStates: string[];
  liveStates: string[];
  /** rendition → every distinct data-percent it showed, in order. */
  percents: Record<string, string[]>;
  loads: number;
}

/** Runs in the page before any of its scripts: records hook changes as they happen. */
function recordHooks() {
  const log: PageLog = { stageStates: [], liveStates: [], percents: {}, loads: 0 };
  (window as unknown as { __e2e: PageLog }).__e2e = log;
  const push = (list: string[], value: string | undefined) => {
    if (value && list.at(-1) !== value) list.push(value);
  };
  const scan = () => {
    push(log.stageStates, document.querySelector<HTMLElement>("[data-testid=player-wrapper]")?.dataset.state);
    push(log.liveStates, document.querySelector<HTMLElement>("[data-testid=live-state]")?.dataset.state);
    for (const row of document.querySelectorAll<HTMLElement>("[data-testid=rendition-progress]")) {
      const name = row.dataset.rendition ?? "?";
      log.percents[name] ??= [];
      push(log.percents[name], row.dataset.percent);
    }
  };
  window.addEventListener("load", () => log.loads++);
  new MutationObserver(scan).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["data-state", "data-percent"],
  });
}

describe.skipIf(!ready)("live progress on the watch page (real stack + Chromium)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let source: string;

  beforeAll(async () => {
    [stack, { "landscape-720p-10s.mp4": source }] = await Promise.all([
      startE2EStack(),
      ensureFixtures(["landscape-720p-10s.mp4"]),
    ]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Signs in through the site's own login page, so the page's API calls carry the session. */
  async function logIn(page: Page, account: { email: string; password: string }) {
    await page.goto(`${stack.origin}/login?next=/`);
    await page.fill("[data-testid=login-email]", account.email);
    await page.fill("[data-testid=login-password]", account.password);
    await Promise.all([page.waitForURL(`${stack.origin}/`), page.click("[data-testid=login-submit]")]);
  }

  it("receives progress messages and starts playback without reloading", async () => {
    const account = await signUpViaApi(stack.origin, "live");

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, account);
    // From here on (the watch page), nothing may fail: no console errors, no refused requests.
    const consoleErrors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    const failedRequests: string[] = [];
    page.on("response", (r) => {
      if (r.status() >= 400) failedRequests.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    await page.addInitScript(recordHooks);

    const frames: WsMessage[] = [];
    const socketUrls: string[] = [];
    page.on("websocket", (ws) => {
      // The header's notifications bell has a socket of its own; this test follows the video's.
      if (!new URL(ws.url()).pathname.startsWith("/ws/videos/")) return;
      socketUrls.push(ws.url());
      ws.on("framereceived", ({ payload }) => {
        if (typeof payload === "string" && payload !== "pong") frames.push(JSON.parse(payload) as WsMessage);
      });
    });

    // Upload, then open the watch page at once: the transcode has only just been queued.
    const { videoId } = await uploadFile(stack.origin, source, {
      title: "Live progress E2E",
      token: account.token,
    });
    let mainFrameNavigations = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) mainFrameNavigations++;
    });
    await page.goto(`${stack.origin}/watch/${videoId}`);
    await page.evaluate(() => {
      (window as unknown as { __marker: string }).__marker = "same-document";
    });

    // The live feed connects…
    await page.waitForFunction(
      () => (window as unknown as { __e2e: PageLog }).__e2e.liveStates.includes("open"),
      undefined,
      {
        timeout: 30_000,
      },
    );

    // …and playback starts as soon as the first rendition is published.
    await page.waitForFunction(
      () => {
        const v = document.querySelector<HTMLVideoElement>("video[data-testid=player]");
        return !!v && !v.hidden && v.currentTime > 1;
      },
      undefined,
      { timeout: 120_000 },
    );
    const t1 = await page.evaluate(() => {
      const v = document.querySelector<HTMLVideoElement>("video[data-testid=player]")!;
      // With progressive publishing a short clip can play to its end on the first rung before the
      // ladder is done: remember that it did (the element survives quality reloads).
      v.addEventListener("ended", () => {
        (window as unknown as { __ended?: boolean }).__ended = true;
      });
      return v.currentTime;
    });

    // Higher qualities appear in the player without a reload once the video is ready.
    const final = await waitForVideo<Video>(
      stack.origin,
      videoId,
      (v) => v.status === "ready" || v.status === "failed",
    );
    expect(final.status).toBe("ready");
    const rungs = final.renditions.filter((r) => r.kind !== "audio").length;
    expect(rungs).toBeGreaterThanOrEqual(2);
    await page.waitForFunction(
      (n) => {
        // Video levels only: an audio-only variant is a level too, with no height.
        const player = (window as unknown as { __player?: { hls: { levels: { height?: number }[] } | null } })
          .__player;
        return (player?.hls?.levels.filter((l) => (l.height ?? 0) > 0).length ?? 0) === n;
      },
      rungs,
      { timeout: 30_000 },
    );
    await page.waitForFunction(
      (t) =>
        document.querySelector<HTMLVideoElement>("video[data-testid=player]")!.currentTime > t + 1 ||
        (window as unknown as { __ended?: boolean }).__ended === true,
      t1,
      { timeout: 30_000 },
    );
    await page.waitForSelector("[data-testid=live-state][data-state=closed]", {
      state: "attached",
      timeout: 30_000,
    });

    // What came over the socket: a fresh-ticket URL, the snapshot, live progress, renditions, the end.
    expect(socketUrls.length).toBeGreaterThanOrEqual(1);
    expect(socketUrls[0]).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/ws/videos/${videoId}\\?ticket=.+`));
    const types = new Set(frames.map((f) => f.type));
    expect(types, JSON.stringify(frames)).toContain("progress");
    expect(types).toContain("rendition");
    // The end arrives over the socket: the room sends `status: ready` and then `ready`; the client
    // closes on the first of them, so the second may never be read.
    const ended = frames.some(
      (f) => f.type === "ready" || (f.type === "status" && (f as { status?: string }).status === "ready"),
    );
    expect(ended, JSON.stringify(frames)).toBe(true);
    expect(frames.filter((f) => f.type === "rendition").map((f) => f.rendition.name)).toEqual(
      expect.arrayContaining(final.renditions.filter((r) => r.kind !== "audio").map((r) => r.name)),
    );

    // What the page showed: processing before playing, the feed open, rows that moved.
    const log = await page.evaluate(() => (window as unknown as { __e2e: PageLog }).__e2e);
    const firstPlaying = log.stageStates.indexOf("playing");
    expect(log.stageStates.indexOf("processing"), JSON.stringify(log.stageStates)).toBeGreaterThanOrEqual(0);
    expect(log.stageStates.indexOf("processing")).toBeLessThan(firstPlaying);
    expect(log.liveStates).toContain("open");
    expect(log.liveStates.at(-1)).toBe("closed");
    const moved = Object.entries(log.percents).filter(([, seen]) => seen.length >= 2);
    expect(moved.length, JSON.stringify(log.percents)).toBeGreaterThanOrEqual(1);
    expect(Object.keys(log.percents)).toEqual(expect.arrayContaining(["720p"]));
    expect(log.percents["720p"]?.at(-1)).toBe("100");

    // The same document from start to finish: one navigation, one load, the marker still there.
    const doc = await page.evaluate(() => ({
      navigations: performance
        .getEntriesByType("navigation")
        .map((e) => (e as PerformanceNavigationTiming).type),
      marker: (window as unknown as { __marker?: string }).__marker,
    }));
    expect(doc.navigations).toEqual(["navigate"]);
    expect(doc.marker).toBe("same-document");
    expect(log.loads).toBe(1);
    expect(mainFrameNavigations).toBe(1);
    expect(page.url()).toBe(`${stack.origin}/watch/${videoId}`);
    expect(failedRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);

    if (process.env.E2E_SCREENSHOTS) {
      const dir = join(ROOT, "reports", "screenshots");
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, "watch-live-ready.png"), fullPage: true });
    }
    await page.close();
  });
  it("reconnects with a fresh ticket and resyncs when the feed drops mid-transcode", async () => {
    const account = await signUpViaApi(stack.origin, "recon");
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, account);
    await page.addInitScript(recordHooks);

    // Sit between the page and the edge: forward everything, and cut the first connection as
    // soon as encoding is reported (the page sees an abnormal close, as after a network drop).
    const tickets: string[] = [];
    const afterReconnect: WsMessage[] = [];
    let droppedAt = 0;
    await page.routeWebSocket(/\/ws\/videos\//, (ws) => {
      tickets.push(new URL(ws.url()).searchParams.get("ticket") ?? "");
      const connection = tickets.length;
      const server = ws.connectToServer();
      server.onMessage((frame) => {
        ws.send(frame);
        if (frame === "pong") return;
        const message = JSON.parse(String(frame)) as WsMessage;
        if (connection > 1) afterReconnect.push(message);
        if (connection === 1 && !droppedAt && message.type === "progress" && message.stage === "encode") {
          droppedAt = Date.now();
          void ws.close({ code: 4000, reason: "test: connection dropped" });
          void server.close();
        }
      });
    });
    const videoReads: number[] = [];

    const { videoId } = await uploadFile(stack.origin, source, {
      title: "Reconnect E2E",
      token: account.token,
    });
    page.on("request", (r) => {
      if (r.method() === "GET" && r.url() === `${stack.origin}/api/videos/${videoId}`)
        videoReads.push(Date.now());
    });
    await page.goto(`${stack.origin}/watch/${videoId}`);

    await page.waitForFunction(
      () => {
        const v = document.querySelector<HTMLVideoElement>("video[data-testid=player]");
        return !!v && !v.hidden && v.currentTime > 1;
      },
      undefined,
      { timeout: 120_000 },
    );
    const log = await page.evaluate(() => (window as unknown as { __e2e: PageLog }).__e2e);

    expect(droppedAt).toBeGreaterThan(0);
    expect(tickets.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tickets).size).toBe(tickets.length); // a new ticket for every connection
    const reconnecting = log.liveStates.indexOf("reconnecting");
    expect(reconnecting, JSON.stringify(log.liveStates)).toBeGreaterThan(log.liveStates.indexOf("open"));
    expect(log.liveStates.indexOf("open", reconnecting)).toBeGreaterThan(reconnecting);
    // Resync: the server's snapshot first, and a fresh read of the video after reconnecting.
    expect(afterReconnect[0]?.type).toBe("status");
    expect(videoReads.some((t) => t > droppedAt)).toBe(true);
    // Progress kept moving after the drop, and still the same document.
    expect(afterReconnect.some((m) => m.type === "progress" || m.type === "rendition")).toBe(true);
    expect(log.loads).toBe(1);
    await page.close();
  });
});
