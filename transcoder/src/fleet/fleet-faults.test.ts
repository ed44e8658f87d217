/**
 * Fleet faults with real parts (issue 17, ADR 0031): real transcoder nodes, a real
 * redis-server that is killed and restarted, s3rver, a recording edge and real ffmpeg.
 *  - Redis down while REDIS_URL is set: new jobs are refused with 503 (the queue retries);
 *    a running job survives an outage shorter than its claim's fence (it takes its claim
 *    back from the restarted, empty Redis), and is stopped — failed, retryable — before its
 *    claim could expire in a longer one; no job ever runs on two nodes at once.
 *  - Disk full mid-encode (WORK_DIR on a small tmpfs): the job fails cleanly (retryable, its
 *    temp dir removed), the node stays healthy and says what happened on /metrics, and the
 *    next attempt completes on another node.
 * `npm run chaos` runs the long outage for a real minute (CHAOS_REDIS_OUTAGE_MS).
 */
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SIGNATURE_HEADER, signRequest, type TranscodeJobV1 } from "@streamline/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { runFfmpeg } from "../ffmpeg/run.ts";
import { type StartedTranscoder, startTranscoder } from "../main.ts";
import { type EventRecorder, startEventRecorder } from "../testing/event-recorder.ts";
import { transcodeJobFor } from "../testing/jobs.ts";
import { ffmpegForTests } from "../testing/media.ts";
import { redisServerAvailable, startTestRedis, type TestRedis } from "../testing/redis.ts";
import { startTestS3, type TestS3 } from "../testing/s3.ts";
import { until as waitUntil } from "../testing/until.ts";
import { leftoverTempFiles } from "./work-dir.ts";

const SECRET = "fleet-faults-secret-5d1c8e3a9f7b2046";
const HEARTBEAT_MS = 500;
/** Long enough that a short outage fits inside the fence (TTL − TTL/5 = 4 s). */
const CLAIM_TTL_MS = 5000;
/** The long outage: past the fence here; a real minute under `npm run chaos`. */
const LONG_OUTAGE_MS = Number(process.env.CHAOS_REDIS_OUTAGE_MS) || 6000;

const bins = await ffmpegForTests();
const hasRedis = bins ? redisServerAvailable() : false;

let s3: TestS3;
let edge: EventRecorder;
let scratch: string;
const sources: Record<string, Buffer> = {};

beforeAll(async () => {
  if (!bins) return;
  scratch = await mkdtemp(join(tmpdir(), "streamline-fleet-faults-"));
  [s3, edge] = await Promise.all([startTestS3(), startEventRecorder(SECRET)]);
  // "slow": 20 s of 240p, encoded slowly below; "tiny": 8 s of 720p squeezed into ~200 KB,
  // whose 720p…240p ladder needs many times its size in scratch space.
  // biome-ignore format: flag/value pairs
  const make = (name: string, size: string, seconds: number, rate: string[]) =>
    runFfmpeg(bins.ffmpeg, [
      "-hide_banner", "-loglevel", "error", "-y",
      "-f", "lavfi", "-i", `testsrc2=size=${size}:rate=30:duration=${seconds}`,
      "-c:v", "libx264", "-preset", "ultrafast", ...rate, "-pix_fmt", "yuv420p", join(scratch, name),
    ]);
  await make("slow.mp4", "426x240", 20, []);
  await make("tiny.mp4", "1280x720", 8, ["-b:v", "200k", "-maxrate", "200k", "-bufsize", "400k"]);
  for (const name of ["slow.mp4", "tiny.mp4"]) sources[name] = await readFile(join(scratch, name));
});

afterAll(async () => {
  await Promise.all([s3?.close(), edge?.close()]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

let seq = 0;
async function seedJob(source: string, attempt = 1, base?: TranscodeJobV1): Promise<TranscodeJobV1> {
  if (base) return { ...base, attempt, attemptId: `${base.jobId}-attempt-${attempt}` };
  seq += 1;
  const videoId = `v_FAULT${String(Date.now() % 1e9).padStart(9, "0")}${String(seq).padStart(2, "0")}`;
  const bytes = sources[source]!;
  await s3.put(`uploads/${videoId}/source`, bytes, "video/mp4");
  const jobId = `job-fault-${seq}-${Math.random().toString(36).slice(2, 8)}`;
  const job = transcodeJobFor(videoId);
  return {
    ...job,
    jobId,
    attempt,
    attemptId: `${jobId}-attempt-${attempt}`,
    source: { ...job.source, size: bytes.length },
  };
}

async function submit(url: string, job: TranscodeJobV1) {
  const body = JSON.stringify(job);
  const res = await fetch(`${url}/jobs`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      [SIGNATURE_HEADER]: await signRequest(SECRET, "edge-to-fleet", { method: "POST", path: "/jobs", body }),
    },
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

/** This file's wait: `until` from testing/until.ts with its default bound. */
const until = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000) =>
  waitUntil(what, probe, timeoutMs);

const eventsOf = (job: TranscodeJobV1) => edge.events.filter((e) => e.attemptId === job.attemptId);
const terminal = (job: TranscodeJobV1) => eventsOf(job).find((e) => e.type === "done" || e.type === "failed");
const encoding = (job: TranscodeJobV1) => {
  const ended = terminal(job);
  if (ended) throw new Error(`the job ended before encoding: ${JSON.stringify(ended)}`);
  return eventsOf(job).some((e) => e.type === "progress" && e.stage === "encode");
};

function nodeConfig(nodeId: string, extra: Record<string, string>) {
  return loadConfig({
    STREAMLINE_DEV: "1",
    TRANSCODER_SECRET: SECRET,
    PORT: "0",
    NODE_ID: nodeId,
    S3_ENDPOINT: s3.endpoint,
    EDGE_URL: edge.url,
    HEARTBEAT_MS: String(HEARTBEAT_MS),
    MAX_JOBS: "1",
    SHUTDOWN_GRACE_MS: "1000",
    WORK_DIR: join(scratch, nodeId),
    LOG_LEVEL: "error",
    ...extra,
  });
}

/** One x264 thread at `slower`: the encode runs for many seconds. */
const SLOW = { X264_PRESET: "slower", FFMPEG_THREADS: "1" };

describe.skipIf(!bins || !hasRedis)("Redis down while REDIS_URL is set (ADR 0031)", () => {
  let redis: TestRedis;
  let a: StartedTranscoder;
  let b: StartedTranscoder;

  beforeAll(async () => {
    redis = await startTestRedis();
    const env = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: `faults-${Date.now()}:`,
      CLAIM_TTL_MS: String(CLAIM_TTL_MS),
    };
    [a, b] = await Promise.all([
      startTranscoder(nodeConfig("redis-a", { ...env, ...SLOW })),
      startTranscoder(nodeConfig("redis-b", { ...env, X264_PRESET: "ultrafast" })),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it("a short outage: new jobs get 503 claims_unavailable, the running job takes its claim back and finishes", async () => {
    const job = await seedJob("slow.mp4");
    expect((await submit(a.url, job)).status).toBe(202);
    await until("the encode to start", () => encoding(job));

    await redis.kill();
    const refused = await submit(b.url, await seedJob("slow.mp4"));
    expect(refused.status).toBe(503);
    expect(refused.json).toMatchObject({ error: { code: "claims_unavailable" } });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(b.runner.runningCount).toBe(0);
    await redis.restart(); // empty: the claim is gone from the store

    // The running node's next heartbeat takes the claim back; the redelivery is refused.
    await until("node A to hold its claim again", async () =>
      (await b.fleet.claims.holder(job.jobId).catch(() => null))?.owner.nodeId === "redis-a"
        ? true
        : undefined,
    );
    const redelivered = await submit(b.url, job);
    expect(redelivered.status).toBe(409);
    expect(redelivered.json).toMatchObject({ error: { code: "already_running" } });
    const last = await until("the job to finish", () => terminal(job), 120_000);
    expect(last.type, JSON.stringify(last)).toBe("done");
    expect(eventsOf(job).filter((e) => e.type === "done" || e.type === "failed")).toHaveLength(1);
  });

  it(`a long outage (${LONG_OUTAGE_MS} ms): the job stops before its claim could expire, and the next attempt runs when Redis returns`, async () => {
    const job = await seedJob("slow.mp4");
    expect((await submit(a.url, job)).status).toBe(202);
    await until("the encode to start", () => encoding(job));

    await redis.kill();
    const killedAt = Date.now();
    const stopped = await until("attempt 1 to stop", () => terminal(job), CLAIM_TTL_MS + 5000);
    // Within the claim's TTL of the kill (the fence is TTL − TTL/5 after the last extension).
    expect(Date.now() - killedAt).toBeLessThan(CLAIM_TTL_MS);
    expect(stopped).toMatchObject({ type: "failed", retryable: true });
    expect(String((stopped as { reason?: string }).reason)).toMatch(/claim store was unreachable/);
    await until("node A's slot to free up", () => a.runner.runningCount === 0, 5000);
    expect(leftoverTempFiles(join(scratch, "redis-a"))).toEqual([]);
    expect((await fetch(`${a.url}/healthz`)).status).toBe(200);

    // The edge sends attempt 2: refused while Redis is down (the queue retries it later)…
    const attempt2 = await seedJob("slow.mp4", 2, job);
    while (Date.now() - killedAt < LONG_OUTAGE_MS) {
      const refused = await submit(b.url, attempt2);
      expect(refused.status).toBe(503);
      await new Promise((r) => setTimeout(r, Math.min(2000, LONG_OUTAGE_MS / 4)));
    }
    // …and accepted once it is back.
    await redis.restart();
    await until("attempt 2 to be accepted", async () => (await submit(b.url, attempt2)).status === 202);
    expect(a.runner.runningCount).toBe(0);
    const done = await until("attempt 2 to finish", () => terminal(attempt2), 120_000);
    expect(done.type, JSON.stringify(done)).toBe("done");
  });
});

/** Mounts a tmpfs of `size` at `dir`; false (skip, with a notice) where mounting is not allowed. */
function mountTmpfs(dir: string, size: string): boolean {
  const res = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { encoding: "utf8" });
  if (res.status === 0) return true;
  const msg = `disk-full test: cannot mount a tmpfs (${(res.stderr || res.error?.message || "").trim()}); it needs root or CAP_SYS_ADMIN`;
  if (process.env.CI) throw new Error(`${msg} — CI must allow it`);
  console.warn(`\n⚠ SKIPPING ${msg}\n`);
  return false;
}

describe.skipIf(!bins)("disk full mid-encode (WORK_DIR on a 1 MiB tmpfs)", () => {
  let full: StartedTranscoder;
  let roomy: StartedTranscoder;
  let mountPoint: string;
  let mounted = false;

  beforeAll(async () => {
    mountPoint = join(scratch, "small-disk");
    await mkdir(mountPoint, { recursive: true });
    mounted = mountTmpfs(mountPoint, "1m");
    if (!mounted) return;
    [full, roomy] = await Promise.all([
      startTranscoder(nodeConfig("disk-full", { WORK_DIR: mountPoint, X264_PRESET: "ultrafast" })),
      startTranscoder(nodeConfig("disk-roomy", { X264_PRESET: "ultrafast" })),
    ]);
  });
  afterAll(async () => {
    await Promise.all([full?.stop(), roomy?.stop()]);
    if (mounted) spawnSync("umount", ["-l", mountPoint]);
  });

  it("the job fails cleanly on that node, the node stays healthy and reports it, the retry completes elsewhere", async (ctx) => {
    if (!mounted) return ctx.skip();
    const freeBefore = await freeBytes(mountPoint);
    const failuresBefore = await failuresCounted(full.url);
    const job = await seedJob("tiny.mp4");
    // The free-space pre-check passes (3 × ~200 KB fits in 1 MiB): the disk fills up mid-job.
    expect(freeBefore).toBeGreaterThan(3 * sources["tiny.mp4"]!.length);
    expect((await submit(full.url, job)).status).toBe(202);
    const failed = await until("attempt 1 to fail", () => terminal(job), 120_000);
    expect(failed, JSON.stringify(failed)).toMatchObject({ type: "failed", retryable: true });
    expect(String((failed as { reason?: string }).reason)).toMatch(
      /scratch disk of this transcoder node filled up/,
    );
    expect(eventsOf(job).some((e) => e.type === "progress")).toBe(true);

    // Clean: no temp files, the space is back, the slot is free, the node is healthy.
    await until("the slot to free up", () => full.runner.runningCount === 0, 5000);
    expect(leftoverTempFiles(mountPoint)).toEqual([]);
    expect(await freeBytes(mountPoint)).toBe(freeBefore);
    const health = await fetch(`${full.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, running: 0, draining: false });
    expect(await failuresCounted(full.url)).toBe(failuresBefore + 1);

    // The edge's next attempt lands on a node with room, and completes.
    const attempt2 = await seedJob("tiny.mp4", 2, job);
    expect((await submit(roomy.url, attempt2)).status).toBe(202);
    const done = await until("attempt 2 to finish", () => terminal(attempt2), 120_000);
    expect(done.type, JSON.stringify(done)).toBe("done");
  });
});

/** The sum of `streamline_transcoder_failures_total` on a node's /metrics. */
async function failuresCounted(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^streamline_transcoder_failures_total\{[^}]*\} (\d+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}
