/**
 * Queue and fleet faults through the real stack (issue 17): wrangler dev's real queue and DLQ,
 * a real transcoder behind the fault proxy (scripts/lib/fault-proxy.ts) and Chromium.
 *  - The fleet answers 503 for a while → the queue retries with a growing backoff and the job
 *    is delivered once capacity returns; the video reaches `ready`.
 *  - Every node is down → a job whose retries run out goes to the DLQ and its video is `failed`
 *    with the reason, shown in the studio; a job queued later is delivered when the nodes
 *    return and its video reaches `ready`.
 * After each: the shared after-fault check (no orphans, no temp files, nothing stuck).
 * Fast here (backoff 1 s, 2 s, 2 s …, outages of seconds). `npm run chaos` sets CHAOS_FLEET_OUTAGE_MS
 * for a real minute with the production backoff (10 s, 20 s, 40 s; capped at 40 s because wrangler
 * dev's queue lost a retry delayed 80 s). It skips the DLQ case, which that backoff reaches only
 * after minutes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../scripts/lib/fault-proxy.ts";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import {
  assertCleanAfterFault,
  CHROMIUM,
  CHROMIUM_ARGS,
  freePort,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
  uploadFile,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e fleet faults", { ffmpeg: true, chromium: true });
const OUTAGE_MS = Number(process.env.CHAOS_FLEET_OUTAGE_MS) || 0;
const CHAOS = OUTAGE_MS > 0;
/** How long the fleet answers 503, and how long every node stays down after the DLQ case. */
const FLEET_503_MS = OUTAGE_MS || 6000;
const NODES_DOWN_MS = OUTAGE_MS || 5000;

type Video = { status: string; failureReason?: string; failure?: { detail?: string } };
const final = (v: Video) => v.status === "ready" || v.status === "failed";

describe.skipIf(!ready)("queue and fleet faults (real queue + DLQ, fault proxy, Chromium)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let proxy: FaultProxy;
  let transcoderPort: number;
  let workDir: string;
  let source: string;
  let account: Awaited<ReturnType<typeof signUpViaApi>>;
  let browser: Browser | undefined;

  beforeAll(async () => {
    transcoderPort = await freePort();
    proxy = await startFaultProxy({ target: `http://127.0.0.1:${transcoderPort}` });
    workDir = mkdtempSync(join(tmpdir(), "streamline-e2e-fleet-faults-work-"));
    [stack, { "clip-640x360-2s.mp4": source }] = await Promise.all([
      startE2EStack({
        // The edge dispatches through the proxy; the stack starts no transcoder itself…
        externalTranscoderUrl: proxy.url,
        transcoderPort,
        transcoderEnv: { WORK_DIR: workDir },
        // Chaos: the production backoff (10 s doubling), capped at 40 s. Local Queues keep a
        // retry's delay in memory, and a delay of 80 s was observed to be lost in wrangler dev.
        edgeVars: CHAOS
          ? { DISPATCH_BACKOFF_MAX_SECONDS: "40" }
          : { DISPATCH_BACKOFF_SECONDS: "1", DISPATCH_BACKOFF_MAX_SECONDS: "2" },
      }),
      ensureFixtures(["clip-640x360-2s.mp4"]),
    ]);
    // …so it is started here, on the port behind the proxy.
    await startNode();
    account = await signUpViaApi(stack.origin, "faults");
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await proxy?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  async function startNode() {
    const child = stack.startTranscoder();
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`transcoder exited ${child.exitCode}\n${stack.output()}`);
      const ok = await fetch(`http://127.0.0.1:${transcoderPort}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`transcoder did not start\n${stack.output()}`);
      await sleep(100);
    }
  }

  const upload = async (title: string) =>
    (await uploadFile(stack.origin, source, { title, token: account.token })).videoId;
  const settle = (videoId: string, timeoutMs: number) =>
    waitForVideo<Video>(stack.origin, videoId, final, timeoutMs, account.token).catch((err: unknown) => {
      const dispatches = proxy
        .requests(/^\/jobs/)
        .map((r) => `${new Date(r.at).toISOString()} ${r.method} ${r.path} ${r.fault ?? "forwarded"}`);
      throw new Error(`${err}\nfleet requests:\n${dispatches.join("\n")}\n${stack.output()}`);
    });

  it(`the fleet answers 503 for ${FLEET_503_MS / 1000} s: retried with backoff, delivered when capacity returns`, async () => {
    proxy.reset();
    proxy.addRules([{ method: "POST", path: "^/jobs$", fault: "status", status: 503, forMs: FLEET_503_MS }]);
    const startedAt = Date.now();
    const videoId = await upload("Fleet 503");
    const video = await settle(videoId, FLEET_503_MS + 180_000);
    expect(video.status, video.failureReason).toBe("ready");

    const dispatches = proxy.requests(/^\/jobs$/).filter((r) => r.method === "POST");
    const refused = dispatches.filter((r) => r.fault === "status");
    // Refused while the window lasted (at most the queue's 9 deliveries), then accepted.
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeLessThanOrEqual(8);
    expect(dispatches.at(-1)!.fault).toBeUndefined();
    expect(dispatches.at(-1)!.at - startedAt).toBeGreaterThanOrEqual(FLEET_503_MS - 1000);
    // Backed off, and the backoff grew (1 s, then 2 s here). Load only lengthens the gaps, so
    // the bounds are lower ones; the exact schedule is dispatch.test.ts's.
    const gaps = refused.slice(1).map((r, i) => r.at - refused[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(900);
    if (gaps.length >= 2) expect(Math.max(...gaps)).toBeGreaterThanOrEqual(1900);
    await assertCleanAfterFault({ ...stack, workDirs: [workDir] });
  });

  it.skipIf(CHAOS)(
    "every node down: a job whose retries run out → DLQ → `failed` with its reason, shown in the studio",
    async () => {
      proxy.reset();
      await stack.stopTranscoder();
      const videoId = await upload("Never transcoded");
      const video = await settle(videoId, 120_000);
      expect(video.status).toBe("failed");
      const reason = video.failure?.detail ?? video.failureReason ?? "";
      expect(reason).toMatch(/fleet was unavailable/);
      // Every delivery was tried (the queue's 1 + 8 retries), none reached a node.
      expect(proxy.requests(/^\/jobs$/).filter((r) => r.method === "POST")).toHaveLength(9);

      // The studio says so, in words, on the video's row.
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${stack.origin}/login?next=%2Fstudio`);
      await page.fill("[data-testid=login-email]", account.email);
      await page.fill("[data-testid=login-password]", account.password);
      await Promise.all([
        page.waitForURL(`${stack.origin}/studio`),
        page.click("[data-testid=login-submit]"),
      ]);
      const row = page.locator(`[data-testid=studio-video][data-video-id=${videoId}]`);
      await expect.poll(() => row.locator("[data-testid=studio-video-status]").textContent()).toBe("Failed");
      expect(await row.getAttribute("data-status")).toBe("failed");
      expect(await row.locator("[data-role=detail]").textContent()).toContain(reason);
      expect(await row.locator("[data-role=detail]").isVisible()).toBe(true);
    },
  );

  it(`every node down for ${NODES_DOWN_MS / 1000} s: a job queued meanwhile is delivered when they return`, async () => {
    proxy.reset();
    await stack.stopTranscoder();
    const downAt = Date.now();
    const videoId = await upload("Nodes down");
    // Refused (connection refused) while down…
    await expect.poll(() => proxy.requests(/^\/jobs$/).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await sleep(Math.max(0, NODES_DOWN_MS - (Date.now() - downAt)));
    await startNode();
    // …delivered on a later retry once a node is back.
    const video = await settle(videoId, 420_000);
    expect(video.status, video.failureReason).toBe("ready");
    await assertCleanAfterFault({ ...stack, workDirs: [workDir] });
  });
});
