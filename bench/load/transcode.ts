/**
 * Transcoder throughput: jobs/hour for a mix of 30 s and 2 min 480p sources on one node,
 * then on two nodes sharing one Redis (claims, registry) on this machine — the scaling
 * ratio. Real nodes (transcoder/src/main.ts, production defaults: one job per two cores),
 * the embedded S3 and a signature-checking event recorder in place of the edge. The bench
 * dispatches like the queue consumer: a signed job to a node, the next node on 429/503,
 * a pause when every node is busy. Jobs are handed out for TRANSCODE_MINUTES (default 10)
 * per configuration; the clock stops when the last of them is done.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SIGNATURE_HEADER, signRequest } from "@streamline/contracts";
import { E2E_SECRETS } from "../../e2e/support.ts";
import { startS3Server } from "../../scripts/lib/s3-server.ts";
import { ensureFixtures } from "../../scripts/make-fixtures.ts";
import { startEventRecorder } from "../../transcoder/src/testing/event-recorder.ts";
import { startTestRedis } from "../../transcoder/src/testing/redis.ts";
import { benchS3 } from "../lib/bench-stack.ts";
import { appendResultsRow, load1, round } from "../lib/results.ts";
import { startTranscoderNode, type TranscoderNode } from "../lib/transcoder-node.ts";

export const TRANSCODE = { minutes: Number(process.env.TRANSCODE_MINUTES ?? 10) };
const MIX = ["sd-854x480-30s.mp4", "sd-854x480-2m.mp4"] as const;
const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const videoId = () => `v_${Array.from(randomBytes(16), (b) => ID_CHARS[b % ID_CHARS.length]).join("")}`;

interface Rig {
  s3Endpoint: string;
  sources: { name: string; bytes: Uint8Array<ArrayBuffer> }[];
  recorder: Awaited<ReturnType<typeof startEventRecorder>>;
}

/** Puts the source and offers the job to each node in turn until one accepts it. */
async function dispatch(rig: Rig, nodes: TranscoderNode[], n: number): Promise<string> {
  const source = rig.sources[n % rig.sources.length]!;
  const id = videoId();
  const key = `uploads/${id}/source`;
  const put = await benchS3.fetch(`${rig.s3Endpoint}/streamline/${key}`, {
    method: "PUT",
    body: source.bytes,
  });
  if (!put.ok) throw new Error(`source put: ${put.status}`);
  const job = {
    v: 1,
    type: "transcode",
    jobId: `load-${id}`,
    videoId: id,
    attempt: 1,
    attemptId: `attempt-${id}`,
    source: { key, size: source.bytes.length, contentType: "video/mp4" },
    outputPrefix: `videos/${id}/`,
    createdAt: new Date().toISOString(),
  };
  const body = JSON.stringify(job);
  for (let tries = 0; ; tries++) {
    const node = nodes[(n + tries) % nodes.length]!;
    const signature = await signRequest(E2E_SECRETS.TRANSCODER_SECRET, "edge-to-fleet", {
      method: "POST",
      path: "/jobs",
      body,
    });
    const res = await fetch(`${node.url}/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature },
      body,
    });
    await res.arrayBuffer();
    if (res.status === 202 || res.status === 200) return id;
    if (res.status !== 429 && res.status !== 503) throw new Error(`job refused: ${res.status}`);
    if ((tries + 1) % nodes.length === 0) await sleep(500); // every node busy: wait like the queue
  }
}

const finished = (rig: Rig, id: string) =>
  rig.recorder.events.some((e) => e.videoId === id && (e.type === "done" || e.type === "failed"));

async function runNodes(rig: Rig, count: number, redisUrl: string) {
  const nodes: TranscoderNode[] = [];
  for (let i = 0; i < count; i++)
    nodes.push(
      await startTranscoderNode({
        edgeUrl: rig.recorder.url,
        s3Endpoint: rig.s3Endpoint,
        secret: E2E_SECRETS.TRANSCODER_SECRET,
        env: { REDIS_URL: redisUrl, NODE_ID: `load-node-${count}-${i}` },
      }),
    );
  try {
    const loadStart = await load1();
    const t0 = performance.now();
    const handOutUntil = t0 + TRANSCODE.minutes * 60_000;
    const ids: string[] = [];
    while (performance.now() < handOutUntil) ids.push(await dispatch(rig, nodes, ids.length));
    // Finish what was handed out (bounded: a 2 min source takes well under this).
    const deadline = performance.now() + 15 * 60_000;
    while (!ids.every((id) => finished(rig, id)) && performance.now() < deadline) await sleep(500);
    const hours = (performance.now() - t0) / 3_600_000;
    const done = ids.filter((id) => rig.recorder.events.some((e) => e.videoId === id && e.type === "done"));
    return {
      nodes: count,
      jobs: ids.length,
      done: done.length,
      failed: ids.filter((id) => rig.recorder.events.some((e) => e.videoId === id && e.type === "failed"))
        .length,
      minutes: round(hours * 60, 1),
      jobsPerHour: round(done.length / hours, 1),
      load1: { start: loadStart, end: await load1() },
    };
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

export async function transcodeSection() {
  const files = await ensureFixtures([...MIX]);
  const dir = mkdtempSync(join(tmpdir(), "streamline-bench-fleet-"));
  const s3 = await startS3Server({ directory: join(dir, "s3"), port: 0 });
  const recorder = await startEventRecorder(E2E_SECRETS.TRANSCODER_SECRET);
  const redis = await startTestRedis();
  const rig: Rig = {
    s3Endpoint: s3.endpoint,
    recorder,
    sources: MIX.map((name) => ({ name, bytes: new Uint8Array(readFileSync(files[name])) })),
  };
  try {
    const one = await runNodes(rig, 1, redis.url);
    const two = await runNodes(rig, 2, redis.url);
    const result = {
      minutesEach: TRANSCODE.minutes,
      mix: MIX,
      one,
      two,
      scaling: round(two.jobsPerHour / one.jobsPerHour, 2),
    };
    await appendResultsRow(
      "## Load: transcoder throughput, one node vs two sharing Redis (`npm run bench:load`)",
      [
        "Real transcoder nodes (production defaults: one job per two cores, x264 threads = cores / jobs) on this 2-core VM, the",
        "embedded S3 and a signature-checking event recorder in place of the edge. Jobs alternate a 30 s and a 2 min 854×480 source",
        "(ladder 480p/360p/240p + trick-play); the bench hands them out like the queue consumer (next node on 429, a pause when all",
        "are busy) for the stated minutes, then waits for the last. jobs/hour = jobs done / wall time. Scaling = two nodes / one.",
        "",
        "| date | hand-out window | one node | two nodes, one Redis | scaling | load 1m |",
        "| --- | --- | --- | --- | --- | --- |",
      ],
      `| ${new Date().toISOString().slice(0, 16)}Z | ${TRANSCODE.minutes} min each | ${one.jobsPerHour} jobs/h (${one.done}/${one.jobs} done in ${one.minutes} min) | ${two.jobsPerHour} jobs/h (${two.done}/${two.jobs} done in ${two.minutes} min) | **${result.scaling}×** | ${one.load1.start} → ${one.load1.end}; ${two.load1.start} → ${two.load1.end} |`,
    );
    return result;
  } finally {
    await recorder.close();
    await redis.stop();
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
