/**
 * View-heartbeat ingestion (ADR 0016): VIEWERS (1,000) simulated viewers on one video, each
 * in its own "browser" (its own sl_viewer cookie and view token from `GET /api/videos/:id`),
 * sending HEARTBEATS (12) heartbeats ~INTERVAL_MS (1 s) apart, each claiming exactly the
 * wall-clock time since its previous one (so nothing is clamped away) — all viewers at once.
 * The video is 2 s long, so a view counts at half its length (1 s): every viewer counts once,
 * and the count must come out exactly VIEWERS.
 *
 * Measured: heartbeats accepted per second (202s over the phase's wall time), latency
 * p50/p99 of `POST /api/views`, D1 writes per 1,000 heartbeats (statements the ViewCounter
 * sent to D1, from its `views.flush … statements=N` log line — the heartbeat route itself
 * touches no D1), and the final view_count.
 *
 * Baseline, same run, same machine: a second stack with VIEW_FLUSH_SECONDS=0, where the
 * ViewCounter writes to D1 as each heartbeat arrives instead of by alarm (same rules, same
 * ≤ 4 statements per write). Writes in one object are serialized, so heartbeats arriving
 * while one is in flight go out together in the next: under load that is fewer writes
 * than heartbeats, a baseline kinder than a literal write per heartbeat.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { api, signUpViaApi, uploadFile, waitForVideo } from "../../e2e/support.ts";
import { ensureFixtures } from "../../scripts/make-fixtures.ts";
import { appendResultsRow, load1, round } from "../lib/results.ts";
import type { BenchContext, BenchStack, Section } from "./section.ts";

const VIEWERS = Number(process.env.VIEWERS ?? 1000);
const HEARTBEATS = Number(process.env.HEARTBEATS ?? 12);
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 1000);

type Video = { status: string; viewCount: number; playback?: { viewToken?: string } };

interface Viewer {
  cookie: string;
  token: string;
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function readyVideo(stack: BenchStack): Promise<string> {
  const { "clip-640x360-2s.mp4": source } = await ensureFixtures(["clip-640x360-2s.mp4"]);
  const owner = await signUpViaApi(stack.origin, "benchv");
  const { videoId } = await uploadFile(stack.origin, source, { token: owner.token });
  await waitForVideo<Video>(stack.origin, videoId, (v) => v.status === "ready", 240_000, owner.token);
  return videoId;
}

/** Each viewer opens the video once: its own cookie and token (100 at a time). */
async function openViewers(origin: string, videoId: string): Promise<Viewer[]> {
  const viewers: Viewer[] = [];
  for (let i = 0; i < VIEWERS; i += 100) {
    const wave = await Promise.all(
      Array.from({ length: Math.min(100, VIEWERS - i) }, async () => {
        const res = await fetch(`${origin}/api/videos/${videoId}`).catch(() =>
          fetch(`${origin}/api/videos/${videoId}`),
        );
        const body = (await res.json()) as Video;
        const cookie = res.headers.get("set-cookie")?.split(";")[0];
        if (!cookie || !body.playback?.viewToken) throw new Error(`no view token: ${res.status}`);
        return { cookie, token: body.playback.viewToken };
      }),
    );
    viewers.push(...wave);
  }
  return viewers;
}

type Statuses = Map<number | "error", number>;

async function watch(origin: string, viewer: Viewer, latencies: number[], statuses: Statuses) {
  // Spread the viewers over the first interval, as real ones would be.
  await sleep(Math.random() * INTERVAL_MS);
  let last = performance.now();
  let position = 0;
  for (let k = 0; k < HEARTBEATS; k++) {
    await sleep(INTERVAL_MS);
    const now = performance.now();
    const playedSec = round((now - last) / 1000, 3);
    last = now;
    position += playedSec;
    const started = performance.now();
    let status: number | "error";
    try {
      const res = await fetch(`${origin}/api/views`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: viewer.cookie },
        body: JSON.stringify({ viewToken: viewer.token, positionSec: Math.min(position, 2), playedSec }),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      // A connection wrangler dev dropped under load: counted as an error, never retried.
      status = "error";
    }
    latencies.push(performance.now() - started);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
}

/** One full run against `stack`: every figure of the section. */
async function measure(ctx: BenchContext, stack: BenchStack) {
  const videoId = await readyVideo(stack);
  const viewers = await openViewers(stack.origin, videoId);
  console.log(`views: ${viewers.length} viewers hold a token for ${videoId}; heartbeats start`);
  let statements = 0;
  let flushes = 0;
  const stop = ctx.onLine((line) => {
    // The edge's JSON log line (edge/src/lib/log.ts): { msg: "views.flush", videoId, views, statements }.
    const m = /"msg":"views\.flush".*"videoId":"([^"]+)".*"statements":(\d+)/.exec(line);
    if (m?.[1] === videoId) {
      statements += Number(m[2]);
      flushes++;
    }
  });
  const latencies: number[] = [];
  const statuses: Statuses = new Map();
  const started = performance.now();
  await Promise.all(viewers.map((v) => watch(stack.origin, v, latencies, statuses)));
  const wallSec = (performance.now() - started) / 1000;
  console.log(`views: ${latencies.length} heartbeats in ${round(wallSec, 1)} s`);
  // The last flush lands within VIEW_FLUSH_SECONDS; the count must then be exact.
  let viewCount = -1;
  for (let i = 0; i < 60 && viewCount !== VIEWERS; i++) {
    await sleep(500);
    try {
      viewCount = (await api<Video>(stack.origin, `/api/videos/${videoId}`)).body.viewCount;
    } catch (err) {
      console.log(
        `views: reading the count failed (${String(err)}); the stack said:\n${stack.output().slice(-2000)}`,
      );
      break;
    }
  }
  await sleep(1500); // a straggling flush line
  stop();
  latencies.sort((a, b) => a - b);
  const accepted = statuses.get(202) ?? 0;
  return {
    viewers: VIEWERS,
    heartbeats: latencies.length,
    accepted,
    statuses: Object.fromEntries(statuses),
    heartbeatsPerSec: round(accepted / wallSec, 1),
    p50Ms: round(percentile(latencies, 50), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    d1Statements: statements,
    flushes,
    d1WritesPer1000: round((statements / Math.max(1, accepted)) * 1000, 2),
    viewCount,
    exact: viewCount === VIEWERS,
  };
}

export const viewsSection: Section = {
  name: "views",
  async run(ctx) {
    const loadStart = await load1();
    const buffered = await measure(ctx, ctx.stack);
    const naiveStack = await ctx.startStack({ edgeVars: { VIEW_FLUSH_SECONDS: "0" } });
    let naive: Awaited<ReturnType<typeof measure>>;
    try {
      naive = await measure(ctx, naiveStack);
    } finally {
      await naiveStack.stop();
    }
    const loadEnd = await load1();
    const result = {
      buffered,
      naive,
      target: "≤ 10 D1 writes per 1,000 heartbeats, counts exact",
      loadStart,
      loadEnd,
    };
    await appendResultsRow(
      "## View heartbeats: one video, many viewers (`npm run bench:community`)",
      [
        "Every viewer has its own cookie and view token and sends its heartbeats ~1 s apart, all at once, through",
        "wrangler dev. D1 writes = statements the ViewCounter sent to D1. Baseline (same run): a second stack with",
        "`VIEW_FLUSH_SECONDS=0`: the ViewCounter writes to D1 as each heartbeat arrives instead of by alarm (same",
        "rules, same ≤ 4 statements per write); heartbeats arriving while a write is in flight join the next one.",
        "",
        "| date | viewers × heartbeats | accepted/s | p50 / p99 | D1 writes / 1,000 | views (exact?) | baseline (write-through) | load 1m |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
      ],
      `| ${new Date().toISOString().slice(0, 10)} | ${VIEWERS} × ${HEARTBEATS} | ${buffered.heartbeatsPerSec} | ${buffered.p50Ms} / ${buffered.p99Ms} ms | ${buffered.d1WritesPer1000} (${buffered.flushes} flushes) | ${buffered.viewCount} (${buffered.exact ? "exact" : "NOT exact"}) | ${naive.heartbeatsPerSec}/s, p50 ${naive.p50Ms} / p99 ${naive.p99Ms} ms, ${naive.d1WritesPer1000} D1 writes / 1,000, views ${naive.viewCount} | ${loadStart} → ${loadEnd} |`,
    );
    return result;
  },
};
