/**
 * WebSocket fan-out of one VideoRoom: N watchers on one video, 100 signed progress events
 * from the "fleet" (the bench), latency = event POSTed → frame received by each watcher.
 * Measured twice on the same stack: through wrangler dev's proxy (the public port) and
 * straight to the edge's own workerd (what production runs: no dev proxy relaying every
 * frame through a second process). Baseline: 1 watcher, same stack, same run.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { api } from "../../e2e/support.ts";
import {
  type BenchStack,
  benchAccount,
  clientIp,
  directEdgeOrigin,
  postFleetEvent,
  queuedVideo,
} from "../lib/bench-stack.ts";
import { appendResultsRow, load1 } from "../lib/results.ts";
import { summary } from "../lib/stats.ts";

export const FANOUT = {
  watchers: Number(process.env.WATCHERS ?? 1000),
  events: Number(process.env.EVENTS ?? 100),
  intervalMs: Number(process.env.EVENT_INTERVAL_MS ?? 20),
};

/** `n` anonymous viewers of a public video, each with its own ticket and address. */
async function openWatchers(
  origin: string,
  videoId: string,
  n: number,
  onFrame: (data: string) => void,
  betweenWaves: () => Promise<void>,
) {
  const sockets: WebSocket[] = [];
  // In waves, so ticket requests don't all land at once.
  for (let i = 0; i < n; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, n - i) }, async (_, k) => {
        const t = await api<{ ticket: string }>(origin, "/api/ws-ticket", {
          method: "POST",
          json: { videoId },
          headers: { "cf-connecting-ip": clientIp(i + k) },
        });
        if (t.status !== 201) throw new Error(`ticket: ${t.status} ${JSON.stringify(t.body)}`);
        const ws = new WebSocket(
          `${origin.replace(/^http/, "ws")}/ws/videos/${videoId}?ticket=${t.body.ticket}`,
        );
        await new Promise<void>((resolve, reject) => {
          ws.onopen = () => resolve();
          ws.onerror = () => reject(new Error("websocket failed to open"));
        });
        ws.onmessage = (e) => onFrame(e.data as string);
        sockets.push(ws);
      }),
    );
    await betweenWaves();
  }
  return sockets;
}

/** One measurement: `watchers` sockets on a fresh video, all traffic to `origin`. */
export async function measureFanout(b: BenchStack, watchers: number, origin: string) {
  const token = await benchAccount(b.origin, "fan");
  const { videoId, job } = await queuedVideo(b, token);
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  // Connecting 1,000 watchers on a loaded machine can outlast the job lease: the fleet's
  // heartbeats keep the attempt current meanwhile, as a real node's would.
  let seq = 0;
  const ids = { v: 1, videoId, jobId: job.jobId, attempt: job.attempt, attemptId: job.attemptId };
  const heartbeat = () =>
    postFleetEvent(origin, {
      ...ids,
      type: "heartbeat",
      node: "bench",
      seq: seq++,
      at: new Date().toISOString(),
    });
  // The client shares the 2 cores with workerd: no JSON.parse per frame, just the event
  // index out of `"fps":N` in progress frames.
  const onFrame = (data: string) => {
    const now = performance.now();
    const at = data.indexOf('"fps":');
    if (at < 0 || !data.startsWith('{"type":"progress"')) return;
    const sent = sentAt.get(Number.parseInt(data.slice(at + 6), 10));
    if (sent !== undefined) latencies.push(now - sent);
  };
  const sockets = await openWatchers(origin, videoId, watchers, onFrame, heartbeat);
  const started = performance.now();
  for (let i = 0; i < FANOUT.events; i++) {
    sentAt.set(i, performance.now());
    await postFleetEvent(origin, {
      ...ids,
      type: "progress",
      seq: seq++,
      at: new Date().toISOString(),
      stage: "encode",
      percent: (i / FANOUT.events) * 100,
      fps: i, // the event's index travels in `fps` so each frame maps back to its send time
    });
    await sleep(FANOUT.intervalMs);
  }
  const expected = watchers * FANOUT.events;
  const deadline = performance.now() + 30_000;
  while (latencies.length < expected && performance.now() < deadline) await sleep(20);
  const elapsedSec = (performance.now() - started) / 1000;
  for (const ws of sockets) ws.close(1000);
  return {
    watchers,
    events: FANOUT.events,
    delivered: latencies.length,
    expected,
    ...summary(latencies),
    messagesPerSec: Math.round(latencies.length / elapsedSec),
  };
}

/** Baseline (1 watcher) and N watchers, through wrangler's proxy and straight to workerd. */
export async function fanoutSection(b: BenchStack) {
  const direct = await directEdgeOrigin(b.origin);
  const loadStart = await load1();
  const out = {
    viaProxy: {
      baseline: await measureFanout(b, 1, b.origin),
      fanout: await measureFanout(b, FANOUT.watchers, b.origin),
    },
    direct: {
      baseline: await measureFanout(b, 1, direct),
      fanout: await measureFanout(b, FANOUT.watchers, direct),
    },
    load1: { start: loadStart, end: await load1() },
    target: "p99 ≤ 100 ms at 1,000 watchers",
  };
  return out;
}

/** Two rows in the fan-out table: through the dev proxy, and straight to workerd. */
export async function appendFanoutRows(date: string, r: Awaited<ReturnType<typeof fanoutSection>>) {
  for (const [label, run] of [
    ["fanout via wrangler proxy", r.viaProxy],
    ["fanout, workerd direct", r.direct],
  ] as const) {
    // FANOUT_NOTE tells runs apart in the table (e.g. the code's state: before/after a change).
    const note = process.env.FANOUT_NOTE ? ` (${process.env.FANOUT_NOTE})` : "";
    const { fanout: f, baseline: base } = run;
    await appendResultsRow(
      "## Fan-out: one VideoRoom, many WebSocket watchers",
      [],
      `| ${date.slice(0, 16)}Z | ${label}${note} | ${f.watchers} watchers × ${FANOUT.events} events, ${FANOUT.intervalMs} ms apart | p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${f.messagesPerSec} msg/s, ${f.delivered}/${f.expected} delivered | baseline 1 watcher: p50 ${base.p50Ms} ms, p99 ${base.p99Ms} ms | p99 ratio ${Math.round((f.p99Ms / base.p99Ms) * 100) / 100}× (load ${r.load1.start} → ${r.load1.end}) |`,
    );
  }
}
