/**
 * Edge media cache and segment delivery (ADR 0030). The edge reads storage through the
 * counting fault proxy (no faults set).
 *
 *  1. Edge media cache: 200 viewers of one video make 1,000 ranged segment requests over
 *     10 distinct segments, cold cache → storage reads per 1,000 requests (target ≤ 1 per
 *     distinct object); hit vs miss latency from sequential pairs on objects no one has
 *     asked for yet.
 *  2. Segment delivery: 200 concurrent viewers reading the (now cached) segments with Range
 *     through the edge vs reading the same bytes from S3 directly (signed GETs), same run:
 *     added latency p50 (target ≤ 2 ms), p99 reported, errors (target 0).
 *
 * The bench plays the fleet: it accepts the job, writes the files straight to storage and
 * posts a signed `rendition` event, so the video is playable without an encode.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { api } from "../../e2e/support.ts";
import {
  type BenchStack,
  benchAccount,
  benchPlaylists,
  benchS3,
  publishBenchVideo,
  queuedVideo,
  writeVideoFiles,
} from "../lib/bench-stack.ts";
import { appendResultsRow, load1, round } from "../lib/results.ts";
import { summary } from "../lib/stats.ts";

const VIEWERS = Number(process.env.VIEWERS ?? 200);
const REQUESTS = Number(process.env.REQUESTS ?? 1000);
const SEGMENTS = 10;
const PAIRS = 20;
const SEGMENT_BYTES = 512 * 1024;
const WINDOW = 128 * 1024;
const SEQUENTIAL = 100;

const segName = (i: number) => `720p/seg_${String(i).padStart(5, "0")}.m4s`;

async function playableVideo(b: BenchStack) {
  const token = await benchAccount(b.origin, "load");
  const { videoId, job } = await queuedVideo(b, token);
  const segments = Array.from({ length: SEGMENTS + PAIRS }, (_, i) => segName(i + 1));
  await writeVideoFiles(b, videoId, [
    ...benchPlaylists(segments.map((s) => s.slice(5))),
    ["720p/init.mp4", randomBytes(1024)],
    ...segments.map((s): [string, Uint8Array] => [s, randomBytes(SEGMENT_BYTES)]),
  ]);
  await publishBenchVideo(b.origin, job);
  const meta = await api<{ playback?: { hls: string } }>(b.origin, `/api/videos/${videoId}`, { token });
  if (!meta.body.playback) throw new Error(`not playable: ${JSON.stringify(meta.body)}`);
  return { videoId, base: `${b.origin}${meta.body.playback.hls.replace("master.m3u8", "")}` };
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
        : await benchS3.fetch(url, { headers: { range } });
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

async function cacheRun(b: BenchStack, base: string, videoId: string) {
  const proxy = b.proxy;
  if (!proxy) throw new Error("the media section needs the counting proxy (countStorageReads)");
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

async function deliveryRun(b: BenchStack, base: string, videoId: string) {
  // Warm: every segment is in the cache (the run above asked for all of them).
  const edge = await viewersRun(VIEWERS, REQUESTS, (p) => base + p, "edge");
  const direct = await viewersRun(VIEWERS, REQUESTS, (p) => b.objectUrl(`videos/${videoId}/${p}`), "s3");
  const e = summary(edge.map((s) => s.ms));
  const d = summary(direct.map((s) => s.ms));
  // One viewer, one request at a time: what the edge adds to a read without queueing.
  const one = async (client: "edge" | "s3") =>
    summary(
      (
        await viewersRun(
          1,
          SEQUENTIAL,
          (p) => (client === "edge" ? base + p : b.objectUrl(`videos/${videoId}/${p}`)),
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

export async function mediaSection(b: BenchStack) {
  const loadStart = await load1();
  const { videoId, base } = await playableVideo(b);
  const cache = await cacheRun(b, base, videoId);
  const delivery = await deliveryRun(b, base, videoId);
  const result = {
    date: new Date().toISOString(),
    cache,
    delivery,
    load1: { start: loadStart, end: await load1() },
    targets: { readsPerDistinctObject: "≤ 1", addedP50Ms: "≤ 2", errors: 0 },
  };
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
  return result;
}
