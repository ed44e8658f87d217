/**
 * The fleet with real parts: transcoder nodes (startTranscoder, and one real child process
 * for the crash case) sharing a real redis-server, s3rver, a recording edge and real
 * ffmpeg. Checks what DESIGN promises: a job never runs twice at once, a cancel reaching
 * any node kills the ffmpeg child wherever the job runs, a crashed node releases nothing
 * (its claim times out, then a new attempt runs), and the registry tracks the nodes. The
 * in-memory backend is held to the same behaviour on one node.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SIGNATURE_HEADER, signRequest, type TranscodeJobV1 } from "@streamline/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { runFfmpeg } from "../ffmpeg/run.ts";
import { type StartedTranscoder, startTranscoder } from "../main.ts";
import { type EventRecorder, startEventRecorder } from "../testing/event-recorder.ts";
import { transcodeJobFor } from "../testing/jobs.ts";
import { ffmpegForTests } from "../testing/media.ts";
import { freePort, redisServerAvailable, startTestRedis, type TestRedis } from "../testing/redis.ts";
import { startTestS3, type TestS3 } from "../testing/s3.ts";
import { until as waitUntil } from "../testing/until.ts";
import type { NodeInfo } from "./registry.ts";

const SECRET = "fleet-test-secret-7c3e9a1f5b2d8046";
const HEARTBEAT_MS = 500;
const CLAIM_TTL_MS = 3 * HEARTBEAT_MS;
const MAIN = resolve(import.meta.dirname, "../main.ts");

const bins = await ffmpegForTests();
const hasRedis = redisServerAvailable();

let s3: TestS3;
let edge: EventRecorder;
let scratch: string;
let sourceBytes: Buffer;

beforeAll(async () => {
  if (!bins) return;
  scratch = await mkdtemp(join(tmpdir(), "streamline-fleet-test-"));
  [s3, edge] = await Promise.all([startTestS3(), startEventRecorder(SECRET)]);
  // 20 s of 240p: a second to make, long to encode with the slow settings below.
  const source = join(scratch, "source.mp4");
  // biome-ignore format: flag/value pairs
  await runFfmpeg(bins.ffmpeg, [
    "-hide_banner", "-loglevel", "error", "-y",
    "-f", "lavfi", "-i", "testsrc2=size=426x240:rate=30:duration=20",
    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", source,
  ]);
  sourceBytes = await readFile(source);
});

afterAll(async () => {
  await Promise.all([s3?.close(), edge?.close()]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

let seq = 0;
async function seedJob(attempt = 1, base?: TranscodeJobV1): Promise<TranscodeJobV1> {
  if (base) return { ...base, attempt, attemptId: `${base.jobId}-attempt-${attempt}` };
  seq += 1;
  const videoId = `v_FLEET${String(Date.now() % 1e9).padStart(9, "0")}${String(seq).padStart(2, "0")}`;
  await s3.put(`uploads/${videoId}/source`, sourceBytes, "video/mp4");
  const jobId = `job-fleet-${seq}-${Math.random().toString(36).slice(2, 8)}`;
  const job = transcodeJobFor(videoId);
  return {
    ...job,
    jobId,
    attempt,
    attemptId: `${jobId}-attempt-${attempt}`,
    source: { ...job.source, size: sourceBytes.length },
  };
}

async function signedPost(url: string, path: string, payload: unknown) {
  const body = JSON.stringify(payload);
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      [SIGNATURE_HEADER]: await signRequest(SECRET, "edge-to-fleet", { method: "POST", path, body }),
    },
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

const submit = (url: string, job: TranscodeJobV1) => signedPost(url, "/jobs", job);
const cancel = (url: string, job: TranscodeJobV1) =>
  signedPost(url, `/jobs/${job.jobId}/cancel`, {
    jobId: job.jobId,
    videoId: job.videoId,
    reason: "video deleted",
  });

async function fleetOf(url: string): Promise<{ backend: string; nodes: NodeInfo[] }> {
  const signature = await signRequest(SECRET, "edge-to-fleet", { method: "GET", path: "/fleet", body: "" });
  const res = await fetch(`${url}/fleet`, { headers: { [SIGNATURE_HEADER]: signature } });
  expect(res.status).toBe(200);
  return (await res.json()) as { backend: string; nodes: NodeInfo[] };
}

/** This file's wait: `until` from testing/until.ts with its default bound. */
const until = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000) =>
  waitUntil(what, probe, timeoutMs);

/** ffmpeg processes whose parent is `parentPid` (Linux /proc). */
async function ffmpegChildrenOf(parentPid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // pid (comm) state ppid …; comm may contain spaces, so split after the last ')'.
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const ppid = Number(stat.slice(close + 2).split(" ")[1]);
    if (comm === "ffmpeg" && ppid === parentPid) pids.push(Number(entry));
  }
  return pids;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const terminal = (job: TranscodeJobV1) =>
  edge.events.find((e) => e.attemptId === job.attemptId && (e.type === "done" || e.type === "failed"));

const encoding = (job: TranscodeJobV1) => {
  const ended = terminal(job);
  if (ended) throw new Error(`the job ended before encoding: ${JSON.stringify(ended)}`);
  return edge.events.some(
    (e) => e.attemptId === job.attemptId && e.type === "progress" && e.stage === "encode",
  );
};

function nodeConfig(nodeId: string, extra: Record<string, string>) {
  return {
    STREAMLINE_DEV: "1", // s3rver's fixed credentials
    TRANSCODER_SECRET: SECRET,
    PORT: "0",
    NODE_ID: nodeId,
    S3_ENDPOINT: s3.endpoint,
    EDGE_URL: edge.url,
    HEARTBEAT_MS: String(HEARTBEAT_MS),
    MAX_JOBS: "2",
    SHUTDOWN_GRACE_MS: "2000",
    WORK_DIR: join(scratch, nodeId),
    ...extra,
  };
}

/** Slow on purpose: one x264 thread at `slower` keeps the encode running for seconds. */
const SLOW = { X264_PRESET: "slower", FFMPEG_THREADS: "1" };

/**
 * The cancel path, shared by both backends: a job runs on `runner`, the cancel goes to
 * `via`; the ffmpeg child must die within 2 s, the job report a final (non-retryable)
 * failure, its temp files go and its claim be released.
 */
async function cancelKillsFfmpeg(runner: StartedTranscoder, via: StartedTranscoder, workDir: string) {
  const job = await seedJob();
  expect((await submit(runner.url, job)).status).toBe(202);
  await until("the encode to start", () => encoding(job));
  const [pid] = await until("an ffmpeg child", async () => {
    const pids = await ffmpegChildrenOf(process.pid);
    return pids.length > 0 ? pids : undefined;
  });
  expect(isAlive(pid!)).toBe(true);

  const res = await cancel(via.url, job);
  expect(res.status).toBe(202);
  expect(res.json).toMatchObject({ accepted: true, runningHere: runner === via });
  const cancelledAt = Date.now();
  await until("ffmpeg to die", () => !isAlive(pid!), 2000);
  expect(Date.now() - cancelledAt).toBeLessThan(2000);

  const last = await until("the job's final event", () => terminal(job), 10_000);
  expect(last).toMatchObject({ type: "failed", retryable: false, reason: "cancelled: video deleted" });
  await until("the slot to free up", () => runner.runner.runningCount === 0, 5000);
  expect(await runner.fleet.claims.holder(job.jobId)).toBeNull();
  const leftovers = (await readdir(workDir, { recursive: true })).filter((f) =>
    f.includes("streamline-job-"),
  );
  expect(leftovers).toEqual([]);
  // The tombstone outlives the job: a late redelivery to any node is refused, not run.
  const late = await submit(via.url, job);
  expect(late.status).toBe(409);
  expect(late.json).toMatchObject({ error: { code: "job_cancelled" } });
}

describe.skipIf(!bins)("in memory (one node)", () => {
  let node: StartedTranscoder;
  beforeAll(async () => {
    node = await startTranscoder(loadConfig(nodeConfig("solo", SLOW)));
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("the same node refuses a second claim: same attempt → already_running, new attempt → job_claimed", async () => {
    const job = await seedJob();
    expect((await submit(node.url, job)).status).toBe(202);
    expect((await submit(node.url, job)).json).toMatchObject({ error: { code: "already_running" } });
    const next = await submit(node.url, await seedJob(2, job));
    expect(next.status).toBe(409);
    expect(next.json).toMatchObject({ error: { code: "job_claimed" } });
    expect(Number(next.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await cancel(node.url, job)).status).toBe(202);
    await until("the job to stop", () => node.runner.runningCount === 0, 5000);
  });

  it("a cancel kills the ffmpeg child", async () => {
    await cancelKillsFfmpeg(node, node, join(scratch, "solo"));
  });

  it("GET /fleet lists just this node", async () => {
    const fleet = await fleetOf(node.url);
    expect(fleet.backend).toBe("memory");
    expect(fleet.nodes.map((n) => n.nodeId)).toEqual(["solo"]);
    expect(fleet.nodes[0]).toMatchObject({ capacity: 2, running: [], draining: false, version: "0.1.0" });
  });
});

describe.skipIf(!bins || !hasRedis)("with Redis (two nodes and a crashing one)", () => {
  let redis: TestRedis;
  let a: StartedTranscoder;
  let b: StartedTranscoder;
  let redisEnv: Record<string, string>;
  let crashed: ChildProcess | undefined;

  beforeAll(async () => {
    redis = await startTestRedis();
    redisEnv = { REDIS_URL: redis.url, REDIS_PREFIX: `fleet-test-${Date.now()}:` };
    [a, b] = await Promise.all([
      startTranscoder(loadConfig(nodeConfig("node-a", { ...redisEnv, ...SLOW }))),
      startTranscoder(
        loadConfig(
          nodeConfig("node-b", { ...redisEnv, X264_PRESET: "ultrafast", PUBLIC_URL: "http://node-b.test" }),
        ),
      ),
    ]);
  });
  afterAll(async () => {
    if (crashed?.pid && crashed.exitCode === null && crashed.signalCode === null) {
      try {
        process.kill(-crashed.pid, "SIGKILL");
      } catch {}
    }
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it("the registry lists both nodes, from either node", async () => {
    for (const node of [a, b]) {
      const fleet = await fleetOf(node.url);
      expect(fleet.backend).toBe("redis");
      expect(fleet.nodes.map((n) => n.nodeId)).toEqual(["node-a", "node-b"]);
      expect(fleet.nodes[1]).toMatchObject({ url: "http://node-b.test", capacity: 2, version: "0.1.0" });
    }
  });

  it("a job claimed on node A is refused by node B (409), and B sees it in A's registry entry", async () => {
    const job = await seedJob();
    expect((await submit(a.url, job)).status).toBe(202);
    const same = await submit(b.url, job);
    expect(same.status).toBe(409);
    expect(same.json).toMatchObject({ error: { code: "already_running" } });
    const next = await submit(b.url, await seedJob(2, job));
    expect(next.status).toBe(409);
    expect(next.json).toMatchObject({ error: { code: "job_claimed" } });
    expect(Number(next.headers.get("retry-after"))).toBeLessThanOrEqual(Math.ceil(CLAIM_TTL_MS / 1000));
    expect(b.runner.runningCount).toBe(0);

    await until("A's entry to show the job", async () => {
      const entry = (await fleetOf(b.url)).nodes.find((n) => n.nodeId === "node-a");
      return entry?.running.some((r) => r.jobId === job.jobId && r.attempt === 1 && r.stage) || undefined;
    });
    expect((await cancel(b.url, job)).status).toBe(202);
    await until("the job to stop", () => a.runner.runningCount === 0, 5000);
  });

  it("a cancel sent to node B kills the ffmpeg child running on node A", async () => {
    await cancelKillsFfmpeg(a, b, join(scratch, "node-a"));
  });

  it("a crashed node releases nothing: its claim times out, then another node runs the new attempt", async () => {
    const port = await freePort();
    const env = {
      ...process.env,
      ...nodeConfig("node-crash", { ...redisEnv, ...SLOW, PORT: String(port), LOG_LEVEL: "error" }),
    };
    // Its own process group, like a container: SIGKILL takes ffmpeg down with it.
    crashed = spawn(process.execPath, [MAIN], { env, detached: true, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    crashed.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    const child = crashed;
    const url = `http://127.0.0.1:${port}`;
    await until("the crash node to listen", () => {
      if (child.exitCode !== null)
        throw new Error(`the crash node exited early (${child.exitCode}): ${stderr}`);
      return fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => undefined,
      );
    });

    const job = await seedJob();
    expect((await submit(url, job)).status).toBe(202);
    await until("the encode to start", () => encoding(job));
    // Held well past one TTL: heartbeats extend it.
    await new Promise((r) => setTimeout(r, CLAIM_TTL_MS + 200));
    expect(await b.fleet.claims.holder(job.jobId)).toMatchObject({ owner: { nodeId: "node-crash" } });

    process.kill(-crashed.pid!, "SIGKILL");
    const killedAt = Date.now();
    await new Promise((r) => crashed!.once("exit", r));

    // Nothing was released: the claim is still there and refuses the next attempt…
    const attempt2 = await seedJob(2, job);
    const refused = await submit(b.url, attempt2);
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: { code: "job_claimed" } });
    // …until its TTL runs out (no heartbeat extends it any more).
    await until(
      "the new attempt to be accepted",
      async () => (await submit(b.url, attempt2)).status === 202,
      5000,
    );
    expect(Date.now() - killedAt).toBeLessThan(CLAIM_TTL_MS + 3000);
    expect(await b.fleet.claims.holder(job.jobId)).toMatchObject({ owner: { nodeId: "node-b" } });
    // The dead node's registry entry expires too.
    await until("the crashed node to leave the registry", async () =>
      (await fleetOf(b.url)).nodes.every((n) => n.nodeId !== "node-crash"),
    );

    const last = await until("attempt 2 to finish", () => terminal(attempt2), 60_000);
    expect(last?.type).toBe("done");
    expect(terminal(job)).toBeUndefined();
  });

  it("SIGTERM mid-job: the node drains for its grace period, releases the claim, and another node finishes the video", async () => {
    const port = await freePort();
    const env = {
      ...process.env,
      ...nodeConfig("node-term", {
        ...redisEnv,
        ...SLOW,
        PORT: String(port),
        LOG_LEVEL: "error",
        SHUTDOWN_GRACE_MS: "1000",
      }),
    };
    const child = spawn(process.execPath, [MAIN], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    const url = `http://127.0.0.1:${port}`;
    await until("the node to listen", () => {
      if (child.exitCode !== null) throw new Error(`the node exited early (${child.exitCode}): ${stderr}`);
      return fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => undefined,
      );
    });
    const job = await seedJob();
    expect((await submit(url, job)).status).toBe(202);
    await until("the encode to start", () => encoding(job));
    const [ffmpegPid] = await until("its ffmpeg child", async () => {
      const pids = await ffmpegChildrenOf(child.pid!);
      return pids.length > 0 ? pids : undefined;
    });

    // What a container runtime sends on `docker stop`: SIGTERM to the main process only.
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    const code = await exited;
    expect(code, stderr).toBe(0);
    expect(isAlive(ffmpegPid!)).toBe(false);
    // The slow encode outlived the 1 s grace: the attempt reported a retryable failure…
    const last = await until("attempt 1's final event", () => terminal(job), 10_000);
    expect(last).toMatchObject({ type: "failed", retryable: true });
    // …and gave its claim back on the way out, so the next attempt runs at once (no TTL wait).
    expect(await b.fleet.claims.holder(job.jobId)).toBeNull();
    const attempt2 = await seedJob(2, job);
    expect((await submit(b.url, attempt2)).status).toBe(202);
    expect((await fleetOf(b.url)).nodes.map((n) => n.nodeId)).not.toContain("node-term");
    const leftovers = (await readdir(join(scratch, "node-term"), { recursive: true })).filter((f) =>
      f.includes("streamline-job-"),
    );
    expect(leftovers).toEqual([]);
    const done = await until("attempt 2 to finish on node B", () => terminal(attempt2), 60_000);
    expect(done?.type).toBe("done");
  });

  it("a graceful shutdown leaves the registry at once", async () => {
    expect((await fleetOf(b.url)).nodes.map((n) => n.nodeId)).toEqual(["node-a", "node-b"]);
    await a.stop();
    expect((await fleetOf(b.url)).nodes.map((n) => n.nodeId)).toEqual(["node-b"]);
  });
});
