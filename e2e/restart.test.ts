/**
 * Issue 17, "edge restarted": wrangler dev (the edge + site Worker) is stopped and started
 * again on the same port and persisted data (`Stack.stopEdge` / `startEdge`), while S3 and
 * the transcoder keep running.
 *
 * - Mid-upload: the upload engine driven as an API client (Node: `uploadParts` with a fetch
 *   transport) and the browser's upload page (Chromium) each have part 1 recorded when the
 *   edge goes away. Both give up on the parts they cannot record, then resume from the parts
 *   the edge recorded (only the others are sent again) and complete; the assembled sources
 *   are byte for byte the files, and the videos become playable.
 * - Mid-transcode: the edge goes away while the fleet encodes, and stays away until the job
 *   has finished. The events the fleet sends meanwhile are retried and land once the edge is
 *   back: the video reaches `ready` on attempt 1 (nothing transcoded twice), and the watch
 *   page's WebSocket reconnects with a new ticket and resyncs to `ready` — no stale
 *   "processing" on screen, no reload.
 * Then the shared after-fault check: nothing orphaned under uploads/ or videos/, no temp
 * files in WORK_DIR, no video left in a non-final state after the sweeper's pass.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, openAsBlob, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { WsMessage } from "@streamline/contracts";
import { AwsClient } from "aws4fetch";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { assertCleanAfterFault, leftoverTempFiles } from "../scripts/lib/after-fault.ts";
import { S3_CREDENTIALS } from "../scripts/lib/s3-server.ts";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import {
  PartPutError,
  type PartTransport,
  PartUploadError,
  uploadParts,
} from "../site/src/features/upload/multipart-upload.ts";
import { ApiError } from "../site/src/lib/api.ts";
import {
  api,
  CHROMIUM,
  CHROMIUM_ARGS,
  ffprobeDuration,
  signUpViaApi,
  startE2EStack,
  toolsAvailable,
  uploadFile,
  waitForVideo,
} from "./support.ts";

const ready = toolsAvailable("e2e edge restart", { ffmpeg: true, chromium: true });
const PART = 8 * 1024 * 1024; // the edge's part size (uploads.service.ts MIN_PART_SIZE)

type Video = { id: string; status: string; playable: boolean; playback?: { hls: string } };
type UploadState = { videoId: string; partSize: number; partCount: number; parts: { partNumber: number }[] };

/**
 * 4 s of 426×240 noise, lossless: 3 parts of 8 MiB that transcode in seconds (one
 * small rung), so the test pays for the restart, not for the encode.
 */
function makeThreePartSource(dir: string): string {
  const out = join(dir, "noise-240p-4s.mp4");
  const res = spawnSync(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "error", "-y"],
      ...["-f", "lavfi", "-i", "testsrc2=size=426x240:rate=30,noise=alls=30:allf=t"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "4"],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p"],
      ...["-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", out],
    ],
    { encoding: "utf8" },
  );
  if (res.status !== 0) throw new Error(`ffmpeg failed: ${res.stderr}`);
  return out;
}

/** The site's API client calls the engine needs, over fetch with a Bearer token (an API client). */
function apiClient(origin: string, token: string) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${origin}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, "network_error", "the edge cannot be reached");
    }
    if (!res.ok) {
      const json = (await res.json().catch(() => null)) as {
        error?: { code: string; message: string };
      } | null;
      throw new ApiError(res.status, json?.error?.code ?? `http_${res.status}`, json?.error?.message ?? "");
    }
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  return {
    partUrls: (videoId: string, partNumbers: number[]) =>
      call<{ parts: { partNumber: number; url: string }[]; expiresAt: string }>(
        "POST",
        `/api/uploads/${videoId}/urls`,
        { partNumbers },
      ),
    recordPart: (videoId: string, n: number, part: { etag: string; size: number }) =>
      call<void>("PUT", `/api/uploads/${videoId}/parts/${n}`, part),
    getUpload: (videoId: string) => call<UploadState>("GET", `/api/uploads/${videoId}`),
  };
}

/** What the browser's XHR transport does, with fetch; `gate` holds parts until it opens. */
function fetchTransport(sent: number[], gate: (partNumber: number) => Promise<void>): PartTransport {
  return {
    async put(url, body, onProgress, signal) {
      const partNumber = Number(new URL(url).searchParams.get("partNumber"));
      await gate(partNumber);
      sent.push(partNumber);
      let res: Response;
      try {
        res = await fetch(url, { method: "PUT", body, signal });
      } catch (err) {
        throw new PartPutError(0, err instanceof Error ? err.message : "network error");
      }
      await res.arrayBuffer();
      if (!res.ok) throw new PartPutError(res.status, `storage answered HTTP ${res.status}`);
      onProgress(body.size);
      return { etag: res.headers.get("etag") ?? "" };
    },
  };
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A video's attempt number, from the stack's local D1 (read-only; readable while the edge is down). */
function d1Video(dataDir: string, id: string): { status: string; attempt: number } {
  const dir = join(dataDir, "wrangler", "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  const db = new DatabaseSync(join(dir, file!), { readOnly: true });
  try {
    return db.prepare("SELECT status, attempt FROM videos WHERE id = ?").get(id) as {
      status: string;
      attempt: number;
    };
  } finally {
    db.close();
  }
}

describe.skipIf(!ready)("the edge restarted on the same data (real stack + Chromium)", () => {
  let stack: Awaited<ReturnType<typeof startE2EStack>>;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let workDir: string;
  let source: string;
  let account: Awaited<ReturnType<typeof signUpViaApi>>;
  const s3 = new AwsClient({ ...S3_CREDENTIALS, region: "us-east-1", service: "s3", retries: 0 });
  let apiVideoId: string;
  let pageVideoId: string;
  /** Phase times in the test's output (the figures in docs/reliability.md come from here). */
  let t0 = 0;
  const mark = (label: string) => console.log(`+${((Date.now() - t0) / 1000).toFixed(1)} s ${label}`);
  const onFailure = () => onTestFailed(() => console.log(stack.output()));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "streamline-e2e-restart-"));
    workDir = join(dir, "work");
    source = makeThreePartSource(dir);
    [stack, browser] = await Promise.all([
      startE2EStack({
        // A dispatch the fleet missed is retried in 2 s (not 10 s): the lost message is quick to show.
        edgeVars: { DISPATCH_BACKOFF_SECONDS: "2" },
        transcoderEnv: { WORK_DIR: workDir, MAX_JOBS: "2", HEARTBEAT_MS: "1000" },
      }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    ]);
    account = await signUpViaApi(stack.origin, "restart");
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${stack.origin}/login?next=/`);
    await page.fill("[data-testid=login-email]", account.email);
    await page.fill("[data-testid=login-password]", account.password);
    await Promise.all([page.waitForURL(`${stack.origin}/`), page.click("[data-testid=login-submit]")]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The assembled source in storage equals the file, byte for byte. */
  async function expectSourceIntact(videoId: string) {
    const res = await s3.fetch(`${stack.s3Endpoint}/streamline/uploads/${videoId}/source`);
    expect(res.status).toBe(200);
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(readFileSync(source)));
  }

  /** A video completed while the fleet is stopped: its job message waits in the queue for a retry. */
  async function queueJobWhileFleetIsAway() {
    await stack.stopTranscoder();
    const { "clip-640x360-2s.mp4": clip } = await ensureFixtures(["clip-640x360-2s.mp4"]);
    const { videoId } = await uploadFile(stack.origin, clip!, {
      title: "Restart: queued job",
      token: account.token,
    });
    let seen: string | undefined;
    // output() keeps the last lines only: hold on to the latest retry line while it is there.
    const lastRetry = () => {
      const lines = stack.output().split("\n");
      seen = lines.findLast((l) => l.includes("job dispatch retried") && l.includes(videoId)) ?? seen;
      return seen;
    };
    await expect.poll(lastRetry, { timeout: 30_000 }).toBeTruthy();
    return { videoId, lastRetry };
  }

  /** The API client: part 1 goes through and is recorded; parts 2 and 3 wait for `release()`. */
  async function apiUploadToPartOne(client: ReturnType<typeof apiClient>) {
    const size = readFileSync(source).length;
    expect(Math.ceil(size / PART)).toBe(3);
    const created = await api<{ videoId: string; partSize: number; partCount: number; parts: never[] }>(
      stack.origin,
      "/api/uploads",
      {
        method: "POST",
        token: account.token,
        json: { filename: "noise.mp4", size, contentType: "video/mp4", title: "Restart: API client" },
      },
    );
    expect(created.status).toBe(201);
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const file = await openAsBlob(source);
    const target = { ...created.body, file, urls: created.body.parts };
    const run = uploadParts(
      { ...target, urlsExpireAt: new Date(Date.now() + 3_600_000).toISOString() },
      {
        api: client,
        transport: fetchTransport([], (n) => (n === 1 ? Promise.resolve() : released)),
        concurrency: 3,
      },
    ).then(
      () => null,
      (err: unknown) => err,
    );
    await expect.poll(async () => (await client.getUpload(created.body.videoId)).parts.length).toBe(1);
    return { videoId: created.body.videoId, file, run, release };
  }

  /** The upload page: the same, with parts 2 and 3 held at the network until `release()`. */
  async function pageUploadToPartOne() {
    const held: { continue(): Promise<void> }[] = [];
    let holding = true;
    await page.route(/partNumber=[23]\b/, (route) => (holding ? held.push(route) : route.continue()));
    const puts: { part: number; at: number }[] = [];
    page.on("request", (r) => {
      const n = /[?&]partNumber=(\d+)/.exec(r.url());
      if (r.method() === "PUT" && n) puts.push({ part: Number(n[1]), at: Date.now() });
    });
    await page.goto(`${stack.origin}/upload`);
    await page.setInputFiles("[data-testid=file-input]", source);
    const row = page.locator("[data-testid=queue-item]").first();
    const recordedOne = page.waitForResponse(
      (r) => /\/api\/uploads\/[^/]+\/parts\/1$/.test(r.url()) && r.request().method() === "PUT",
    );
    await page.click("[data-testid=start-upload]");
    expect((await recordedOne).status()).toBe(204);
    await expect.poll(() => held.length, { timeout: 15_000 }).toBe(2);
    const release = async () => {
      holding = false;
      for (const route of held.splice(0)) await route.continue();
    };
    return { videoId: (await row.getAttribute("data-video-id"))!, row, puts, release };
  }

  /** Each video reaches `ready` and ffprobe reads `seconds` of HLS through the edge. */
  async function expectPlays(ids: string[], seconds: number) {
    for (const id of ids) {
      const v = await waitForVideo<Video>(
        stack.origin,
        id,
        (x) => x.status === "ready",
        90_000,
        account.token,
      );
      expect(
        Math.abs((await ffprobeDuration(`${stack.origin}${v.playback!.hls}`)) - seconds),
      ).toBeLessThanOrEqual(0.5);
    }
  }

  it("mid-upload: the API client and the upload page resume from the recorded parts and complete", async () => {
    t0 = Date.now();
    onFailure();
    const client = apiClient(stack.origin, account.token);
    const queued = await queueJobWhileFleetIsAway();
    mark("fleet stopped; the queued job's dispatch was retried");
    const fromApi = await apiUploadToPartOne(client);
    const fromPage = await pageUploadToPartOne();
    [apiVideoId, pageVideoId] = [fromApi.videoId, fromPage.videoId];

    mark("part 1 of each upload recorded; stopping the edge");
    await stack.stopEdge();
    const stoppedAt = Date.now();
    fromApi.release();
    await fromPage.release();
    // Storage takes parts 2 and 3; recording them fails, is retried (1, 2, 4 s) and given up.
    const failure = await fromApi.run;
    expect(failure).toBeInstanceOf(PartUploadError);
    expect(((failure as PartUploadError).cause as ApiError).status).toBe(0);
    await expect.poll(() => fromPage.row.getAttribute("data-state"), { timeout: 30_000 }).toBe("error");
    expect(await page.textContent("[data-testid=start-upload]")).toContain("Resume upload");
    queued.lastRetry();
    stack.startTranscoder();
    await expect
      .poll(() =>
        fetch(`${stack.transcoderUrl}/healthz`).then(
          (r) => r.status,
          () => 0,
        ),
      )
      .toBe(200);
    mark("both uploads gave up, fleet back; starting the edge");
    await stack.startEdge();
    const restartedAt = Date.now();
    mark("edge answers again");
    console.log(`mid-upload: edge down ${restartedAt - stoppedAt} ms (both uploads gave up meanwhile)`);

    // The API client resumes: the edge's record says part 1 is there; only 2 and 3 go again.
    const state = await client.getUpload(apiVideoId);
    expect(state.parts.map((p) => p.partNumber)).toEqual([1]);
    const resumedSent: number[] = [];
    await uploadParts(
      {
        videoId: apiVideoId,
        file: fromApi.file,
        partSize: state.partSize,
        partCount: state.partCount,
        doneParts: [1],
      },
      { api: client, transport: fetchTransport(resumedSent, async () => {}) },
    );
    expect(resumedSent.sort()).toEqual([2, 3]);
    const done = await api(stack.origin, `/api/uploads/${apiVideoId}/complete`, {
      method: "POST",
      token: account.token,
    });
    expect(done.status).toBe(202);
    // The page resumes on one click: only parts 2 and 3 are sent after the restart.
    await page.click("[data-testid=start-upload]");
    await expect.poll(() => fromPage.row.getAttribute("data-state"), { timeout: 30_000 }).toBe("processing");
    expect(
      fromPage.puts
        .filter((p) => p.at > restartedAt)
        .map((p) => p.part)
        .sort(),
    ).toEqual([2, 3]);
    await page.unroute(/partNumber=[23]\b/);

    mark("both resumed uploads completed");
    await expectSourceIntact(apiVideoId);
    await expectSourceIntact(pageVideoId);
    await expectPlays([apiVideoId, pageVideoId], 4);
    mark("both ready and played");
    await expectLostThenSwept(queued.videoId, queued.lastRetry()!, restartedAt);
  }, 180_000);

  /**
   * wrangler dev's queues live in memory (Miniflare's queue broker): the message waiting for
   * its retry went with the restart. Its retry was due long ago and the fleet is back, yet the
   * video is still queued — until the sweeper's "queued for an hour" pass restarts it.
   */
  async function expectLostThenSwept(videoId: string, lastRetry: string, restartedAt: number) {
    const delaySeconds = Number(/"delaySeconds":(\d+)/.exec(lastRetry)?.[1]);
    expect(delaySeconds).toBeGreaterThan(0);
    expect(Date.now() - restartedAt).toBeGreaterThan((delaySeconds + 3) * 1000);
    expect(d1Video(stack.dataDir, videoId)).toMatchObject({ status: "queued", attempt: 1 });
    // The sweeper's next pass "an hour later" (Miniflare's trigger takes the scheduled time;
    // wrangler's `/__scheduled` does not).
    const sweep = await fetch(`${stack.origin}/cdn-cgi/local/scheduled?time=${Date.now() + 61 * 60_000}`);
    await sweep.body?.cancel();
    expect(sweep.status).toBe(200);
    await waitForVideo<Video>(stack.origin, videoId, (v) => v.status === "ready", 60_000, account.token);
    expect(d1Video(stack.dataDir, videoId)).toMatchObject({ status: "ready", attempt: 2 });
  }

  it("mid-transcode: the fleet's events land after the restart, the video is ready and the page resyncs", async () => {
    t0 = Date.now();
    onFailure();
    // Uploaded, not yet completed: the watch page is open before the fleet gets the job.
    const { "small-426x240-20s.mp4": clip } = await ensureFixtures(["small-426x240-20s.mp4"]);
    const { videoId } = await uploadFile(stack.origin, clip!, {
      title: "Restart: mid-transcode",
      token: account.token,
      complete: false,
    });
    const frames: { connection: number; message: WsMessage }[] = [];
    const tickets: string[] = [];
    page.on("websocket", (ws) => {
      const url = new URL(ws.url());
      if (url.pathname !== `/ws/videos/${videoId}`) return;
      tickets.push(url.searchParams.get("ticket") ?? "");
      const connection = tickets.length;
      ws.on("framereceived", ({ payload }) => {
        if (typeof payload === "string" && payload !== "pong")
          frames.push({ connection, message: JSON.parse(payload) as WsMessage });
      });
    });
    await page.goto(`${stack.origin}/watch/${videoId}`);
    const videoReads: number[] = [];
    page.on("request", (r) => {
      if (r.method() === "GET" && r.url() === `${stack.origin}/api/videos/${videoId}`)
        videoReads.push(Date.now());
    });
    let navigations = 0;
    page.on("framenavigated", (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    const done = await api(stack.origin, `/api/uploads/${videoId}/complete`, {
      method: "POST",
      token: account.token,
    });
    expect(done.status).toBe(202);
    // The fleet is encoding (its progress reached the page over the socket): the edge goes away.
    await expect
      .poll(() => frames.some((f) => f.message.type === "progress" && f.message.stage === "encode"), {
        timeout: 60_000,
        interval: 50,
      })
      .toBe(true);
    mark("encoding; stopping the edge");
    await stack.stopEdge();
    expect(d1Video(stack.dataDir, videoId)).toMatchObject({ status: "processing", attempt: 1 });
    // Down until the job has finished on the node (its work dir is gone): its result is queued.
    await expect.poll(() => leftoverTempFiles(workDir).length, { timeout: 60_000, interval: 200 }).toBe(0);
    expect(stack.output()).toContain("edge unreachable, retrying transcoder event");
    expect(d1Video(stack.dataDir, videoId).status).toBe("processing"); // nothing landed yet
    mark("job done on the node; starting the edge");
    const downFrom = Date.now();
    await stack.startEdge();
    const restartedAt = Date.now();

    const video = await waitForVideo<Video>(
      stack.origin,
      videoId,
      (v) => v.status === "ready",
      60_000,
      account.token,
    );
    expect(video.playable).toBe(true);
    // The events sent during the downtime landed: ready on attempt 1, not a second transcode.
    expect(d1Video(stack.dataDir, videoId)).toMatchObject({ status: "ready", attempt: 1 });
    expect(stack.output()).not.toContain("giving up on transcoder event");
    const readyAt = Date.now();

    // The page resyncs to the true state and plays, without a reload. Its client reconnects
    // with a new ticket (the room's snapshot comes first) unless its slow poll, which starts
    // after two failed attempts, read `ready` first: then it has nothing left to follow.
    await page.waitForFunction(
      () => {
        const v = document.querySelector<HTMLVideoElement>("video[data-testid=player]");
        return !!v && !v.hidden && v.readyState >= 2;
      },
      undefined,
      { timeout: 45_000 },
    );
    expect(await page.getAttribute("[data-testid=player-wrapper]", "data-state")).not.toBe("processing");
    expect(navigations).toBe(0);
    expect(videoReads.some((t) => t > restartedAt)).toBe(true);
    const reconnected = new Set(tickets).size >= 2;
    if (reconnected) expect(frames.find((f) => f.connection > 1)?.message.type).toBe("status");
    console.log(
      `mid-transcode: edge start ${restartedAt - downFrom} ms, ready ${readyAt - restartedAt} ms after it, page resynced (${reconnected ? "socket reconnected" : "slow poll"}) and playable ${Date.now() - restartedAt} ms after it`,
    );

    expect(
      Math.abs((await ffprobeDuration(`${stack.origin}${video.playback!.hls}`)) - 20),
    ).toBeLessThanOrEqual(0.5);
    await assertCleanAfterFault({
      origin: stack.origin,
      s3Endpoint: stack.s3Endpoint,
      dataDir: stack.dataDir,
      workDirs: [workDir],
    });
    expect(existsSync(workDir)).toBe(true);
  }, 150_000);
});
