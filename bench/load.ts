/**
 * `npm run bench:load`: media delivery under load, on the local stack (wrangler dev, the
 * embedded S3, loopback only, bounded in time). The edge reads storage through the
 * fault proxy (scripts/lib/fault-proxy.ts, no faults set), which counts every read.
 *
 *  1. Edge media cache (ADR 0030): 200 viewers of one video make 1,000 ranged segment
 *     requests over 10 distinct segments, cold cache → storage reads per 1,000 requests
 *     (target ≤ 1 per distinct object); hit vs miss latency from sequential pairs on
 *     objects no one has asked for yet.
 *  2. Segment delivery: 200 concurrent viewers reading the (now cached) segments with Range
 *     through the edge vs reading the same bytes from S3 directly (signed GETs), same run:
 *     added latency p50 (target ≤ 2 ms), p99 reported, errors (target 0).
 *
 * The bench plays the fleet: it accepts the job, writes the files straight to storage and
 * posts a signed `rendition` event, so the video is playable without an encode.
 * Results: bench/results/load.json and a row in bench/RESULTS.md.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SIGNATURE_HEADER, signRequest, type TranscodeJobV1 } from "@streamline/contracts";
import { AwsClient } from "aws4fetch";
import { api, E2E_SECRETS, freePort, startE2EStack } from "../e2e/support.ts";
import { startFaultProxy } from "../scripts/lib/fault-proxy.ts";
import { S3_CREDENTIALS } from "../scripts/lib/s3-server.ts";
import { ROOT } from "../scripts/lib/stack.ts";
import { appendResultsRow, load1, round, toJson } from "./lib/results.ts";

const VIEWERS = Number(process.env.VIEWERS ?? 200);
const REQUESTS = Number(process.env.REQUESTS ?? 1000);
const SEGMENTS = 10;
const PAIRS = 20;
const SEGMENT_BYTES = 512 * 1024;
const WINDOW = 128 * 1024;
const SEQUENTIAL = 100;

const jobs = new Map<string, TranscodeJobV1>();
const fleet = createServer(async (req, res) => {
  let body = "";
  for await (const c of req) body += c;
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true,"running":0,"capacity":1}');
    return;
  }
  const job = JSON.parse(body) as TranscodeJobV1;
  jobs.set(job.videoId, job);
  res.writeHead(202, { "content-type": "application/json" }).end("{}");
});
await new Promise<void>((r) => fleet.listen(0, "127.0.0.1", r));

const s3Port = await freePort();
const proxy = await startFaultProxy({ target: `http://127.0.0.1:${s3Port}` });
const stack = await startE2EStack({
  s3Port,
  externalTranscoderUrl: `http://127.0.0.1:${(fleet.address() as AddressInfo).port}`,
  transcoderPort: await freePort(),
  // Media reads go through the counting proxy; presigned uploads still go straight to S3.
  edgeOverrides: { S3_ENDPOINT: proxy.url },
});
const origin = stack.origin;
const s3 = new AwsClient({ ...S3_CREDENTIALS, region: "us-east-1", service: "s3" });
const objectUrl = (key: string) => `${stack.s3Endpoint}/streamline/${key}`;

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;
const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50Ms: round(percentile(s, 50)), p99Ms: round(percentile(s, 99)) };
};

async function playableVideo() {
  const email = `load-${Date.now()}@example.com`;
  const signup = await api<{ accessToken: string }>(origin, "/api/auth/signup", {
    method: "POST",
    json: { email, password: "bench-password-123!", handle: `load${Date.now()}` },
  });
  const token = signup.body.accessToken;
  const created = await api<{ videoId: string; parts: { url: string }[] }>(origin, "/api/uploads", {
    method: "POST",
    json: { filename: "load.mp4", size: 1024, contentType: "video/mp4" },
    token,
  });
  const { videoId, parts } = created.body;
  const put = await fetch(parts[0]!.url, { method: "PUT", body: new Uint8Array(1024) });
  await api(origin, `/api/uploads/${videoId}/parts/1`, {
    method: "PUT",
    json: { etag: put.headers.get("etag"), size: 1024 },
    token,
  });
  await api(origin, `/api/uploads/${videoId}/complete`, { method: "POST", token });
  const deadline = Date.now() + 30_000;
  while (!jobs.has(videoId)) {
    if (Date.now() > deadline) throw new Error("the job never reached the bench fleet");
    await sleep(50);
  }
  await writeFiles(videoId);
  await postRendition(jobs.get(videoId)!);
  const meta = await api<{ playback?: { hls: string } }>(origin, `/api/videos/${videoId}`, { token });
  if (!meta.body.playback) throw new Error(`not playable: ${JSON.stringify(meta.body)}`);
  return { videoId, base: `${origin}${meta.body.playback.hls.replace("master.m3u8", "")}` };
}

const segName = (i: number) => `720p/seg_${String(i).padStart(5, "0")}.m4s`;

async function writeFiles(videoId: string) {
  const total = SEGMENTS + PAIRS;
  const playlist = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:4", '#EXT-X-MAP:URI="init.mp4"'];
  for (let i = 1; i <= total; i++) playlist.push("#EXTINF:4.0,", segName(i).slice(5));
  playlist.push("#EXT-X-ENDLIST", "");
  const files: [string, Uint8Array | string][] = [
    ["master.m3u8", '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000000,CODECS="avc1.64001f"\n720p/index.m3u8\n'],
    ["720p/index.m3u8", playlist.join("\n")],
    ["720p/init.mp4", randomBytes(1024)],
  ];
  for (let i = 1; i <= total; i++) files.push([segName(i), randomBytes(SEGMENT_BYTES)]);
  for (const [path, body] of files) {
    const res = await s3.fetch(objectUrl(`videos/${videoId}/${path}`), {
      method: "PUT",
      body: body as BodyInit,
    });
    if (!res.ok) throw new Error(`put ${path}: ${res.status}`);
  }
}

async function postRendition(job: TranscodeJobV1) {
  const event = {
    v: 1,
    type: "rendition",
    videoId: job.videoId,
    jobId: job.jobId,
    attempt: job.attempt,
    attemptId: job.attemptId,
    seq: 1,
    at: new Date().toISOString(),
    masterKey: `videos/${job.videoId}/master.m3u8`,
    rendition: {
      name: "720p",
      kind: "video",
      width: 1280,
      height: 720,
      bandwidth: 1_000_000,
      averageBandwidth: 900_000,
      codecs: "avc1.64001f",
      frameRate: 30,
      playlist: "720p/index.m3u8",
    },
  };
  const body = JSON.stringify(event);
  const path = "/internal/transcoder/events";
  const signature = await signRequest(E2E_SECRETS.TRANSCODER_SECRET, "fleet-to-edge", {
    method: "POST",
    path,
    body,
  });
  const res = await fetch(`${origin}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature },
    body,
  });
  if (res.status !== 200) throw new Error(`rendition event: ${res.status} ${await res.text()}`);
}

/** A random window of a random segment among the first `SEGMENTS`. */
function randomWindow() {
  const seg = 1 + Math.floor(Math.random() * SEGMENTS);
  const start = Math.floor(Math.random() * (SEGMENT_BYTES - WINDOW));
  return { path: segName(seg), range: `bytes=${start}-${start + WINDOW - 1}` };
}

type Sample = { ms: number; ok: boolean; cache: string | null; status: number };

async function timed(url: string, range: string, client: "edge" | "s3"): Promise<Sample> {
  const t0 = performance.now();
  try {
    const res =
      client === "edge"
        ? await fetch(url, { headers: { range } })
        : await s3.fetch(url, { headers: { range } });
    const bytes = (await res.arrayBuffer()).byteLength;
    return {
      status: res.status,
      ms: performance.now() - t0,
      ok: res.status === 206 && bytes === WINDOW,
      cache: res.headers.get("x-media-cache"),
    };
  } catch {
    return { ms: performance.now() - t0, ok: false, cache: null, status: 0 };
  }
}

/** `viewers` concurrent viewers sharing `requests` requests, each viewer's one after another. */
async function viewersRun(
  viewers: number,
  requests: number,
  url: (path: string) => string,
  client: "edge" | "s3",
) {
  const samples: Sample[] = [];
  const each = Math.ceil(requests / viewers);
  await Promise.all(
    Array.from({ length: viewers }, async () => {
      for (let i = 0; i < each && samples.length < requests; i++) {
        const w = randomWindow();
        samples.push(await timed(url(w.path), w.range, client));
      }
    }),
  );
  return samples;
}

/** How the failed samples failed: status → count (0 = no HTTP answer). */
function errorStatuses(samples: Sample[]) {
  const out: Record<string, number> = {};
  for (const s of samples.filter((x) => !x.ok)) out[s.status] = (out[s.status] ?? 0) + 1;
  return out;
}

async function cacheRun(base: string, videoId: string) {
  proxy.reset();
  const samples = await viewersRun(VIEWERS, REQUESTS, (p) => base + p, "edge");
  const reads = proxy.requests(new RegExp(`/videos/${videoId}/720p/seg_`)).filter((r) => r.method === "GET");
  const distinct = new Set(reads.map((r) => r.path.split("?")[0])).size;
  // Sequential miss → hit pairs on segments nobody has asked for yet.
  const miss: number[] = [];
  const hit: number[] = [];
  for (let i = SEGMENTS + 1; i <= SEGMENTS + PAIRS; i++) {
    const range = `bytes=0-${WINDOW - 1}`;
    const first = await timed(base + segName(i), range, "edge");
    await sleep(50); // the fill's put runs after the response (waitUntil)
    const second = await timed(base + segName(i), range, "edge");
    if (first.cache === "miss") miss.push(first.ms);
    if (second.cache === "hit") hit.push(second.ms);
  }
  return {
    requests: samples.length,
    viewers: VIEWERS,
    distinctSegments: SEGMENTS,
    errors: samples.filter((s) => !s.ok).length,
    errorStatuses: errorStatuses(samples),
    storageReads: reads.length,
    distinctObjectsRead: distinct,
    readsPerThousand: round((reads.length / samples.length) * 1000, 1),
    misses: samples.filter((s) => s.cache === "miss").length,
    missLatency: summary(miss),
    hitLatency: summary(hit),
  };
}

async function deliveryRun(base: string, videoId: string) {
  // Warm: every segment is in the cache (the run above asked for all of them).
  const edge = await viewersRun(VIEWERS, REQUESTS, (p) => base + p, "edge");
  const direct = await viewersRun(VIEWERS, REQUESTS, (p) => objectUrl(`videos/${videoId}/${p}`), "s3");
  const e = summary(edge.map((s) => s.ms));
  const d = summary(direct.map((s) => s.ms));
  // One viewer, one request at a time: what the edge adds to a read without queueing.
  const one = async (client: "edge" | "s3") =>
    summary(
      (
        await viewersRun(
          1,
          SEQUENTIAL,
          (p) => (client === "edge" ? base + p : objectUrl(`videos/${videoId}/${p}`)),
          client,
        )
      ).map((s) => s.ms),
    );
  const [sequentialEdge, sequentialS3] = [await one("edge"), await one("s3")];
  return {
    sequential: {
      edge: sequentialEdge,
      s3: sequentialS3,
      addedP50Ms: round(sequentialEdge.p50Ms - sequentialS3.p50Ms),
    },
    edge: {
      ...e,
      errors: edge.filter((s) => !s.ok).length,
      hits: edge.filter((s) => s.cache === "hit").length,
    },
    s3: { ...d, errors: direct.filter((s) => !s.ok).length },
    addedP50Ms: round(e.p50Ms - d.p50Ms),
    addedP99Ms: round(e.p99Ms - d.p99Ms),
  };
}

try {
  const loadStart = await load1();
  const { videoId, base } = await playableVideo();
  const cache = await cacheRun(base, videoId);
  const delivery = await deliveryRun(base, videoId);
  const result = {
    date: new Date().toISOString(),
    cache,
    delivery,
    load1: { start: loadStart, end: await load1() },
    targets: {
      readsPerDistinctObject: "≤ 1",
      addedP50Ms: "≤ 2",
      errors: 0,
    },
  };
  console.log(toJson(result));
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(join(ROOT, "bench/results/load.json"), `${toJson(result)}\n`);
  await appendResultsRow(
    "## Load: edge media cache and segment delivery (`npm run bench:load`)",
    [
      "Local stack (wrangler dev + the embedded S3, loopback). The edge reads storage through a counting proxy. Cold cache: 1,000 ranged",
      "128 KiB reads of 10 segments (512 KiB) by 200 concurrent viewers; hit vs miss from 20 sequential pairs. Delivery: the same load on",
      "the warm cache vs signed GETs straight to S3, then 100 requests by one viewer. Targets: ≤ 1 storage read per distinct object; added",
      "p50 ≤ 2 ms; 0 errors (ADR 0030). The edge's figures include wrangler dev's local proxy in front of workerd.",
      "",
      "| date | storage reads, cold cache | miss vs hit | segment delivery: edge vs S3 direct | load 1m |",
      "| --- | --- | --- | --- | --- |",
    ],
    `| ${result.date.slice(0, 16)}Z | ${cache.requests} ranged requests, ${VIEWERS} viewers, ${SEGMENTS} segments: ${cache.storageReads} storage reads (${cache.readsPerThousand}/1,000; ${cache.distinctObjectsRead} distinct), ${cache.errors} errors | miss p50 ${cache.missLatency.p50Ms} ms / hit p50 ${cache.hitLatency.p50Ms} ms | edge p50 ${delivery.edge.p50Ms} / p99 ${delivery.edge.p99Ms} ms vs S3 p50 ${delivery.s3.p50Ms} / p99 ${delivery.s3.p99Ms} ms: added p50 ${delivery.addedP50Ms} ms, p99 ${delivery.addedP99Ms} ms; errors ${delivery.edge.errors} / ${delivery.s3.errors}; one viewer: edge p50 ${delivery.sequential.edge.p50Ms} ms vs S3 ${delivery.sequential.s3.p50Ms} ms (added ${delivery.sequential.addedP50Ms} ms) | ${loadStart} → ${result.load1.end} |`,
  );
} finally {
  await stack.stop();
  await proxy.close();
  fleet.close();
}
