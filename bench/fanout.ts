/**
 * `npm run bench:fanout`: WebSocket fan-out of one VideoRoom in wrangler dev.
 * N watchers (default 1,000) connect to one video; 100 progress events are POSTed by the
 * "fleet" (this script plays it: it receives the signed job and signs its events), and
 * every delivery's latency (event POSTed → frame received) is recorded. The baseline, run
 * side by side in the same process against the same stack, is a single watcher.
 * Target: p99 ≤ 100 ms at 1,000 watchers. Results: bench/results/fanout.json + RESULTS.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SIGNATURE_HEADER, signRequest, type TranscodeJobV1 } from "@streamline/contracts";
import { api, E2E_SECRETS, freePort, startE2EStack } from "../e2e/support.ts";
import { ROOT } from "../scripts/lib/stack.ts";
import { appendResultsRow, load1 } from "./lib/results.ts";

const WATCHERS = Number(process.env.WATCHERS ?? 1000);
const EVENTS = Number(process.env.EVENTS ?? 100);
const EVENT_INTERVAL_MS = Number(process.env.EVENT_INTERVAL_MS ?? 20);

// The fleet this bench plays: accepts jobs, remembers them.
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
const fleetUrl = `http://127.0.0.1:${(fleet.address() as AddressInfo).port}`;

const stack = await startE2EStack({ externalTranscoderUrl: fleetUrl, transcoderPort: await freePort() });
const origin = stack.origin;

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function account() {
  const email = `bench-${Date.now()}@example.com`;
  const res = await api<{ accessToken: string }>(origin, "/api/auth/signup", {
    method: "POST",
    json: { email, password: "bench-password-123!", handle: `bench${Date.now()}` },
  });
  return res.status === 201 ? res.body.accessToken : undefined;
}

async function queuedVideo(token: string | undefined) {
  const auth = token ? { token } : {};
  const created = await api<{ videoId: string; parts: { url: string }[] }>(origin, "/api/uploads", {
    method: "POST",
    json: { filename: "bench.mp4", size: 1024, contentType: "video/mp4" },
    ...auth,
  });
  const { videoId, parts } = created.body;
  const put = await fetch(parts[0]!.url, { method: "PUT", body: new Uint8Array(1024) });
  await api(origin, `/api/uploads/${videoId}/parts/1`, {
    method: "PUT",
    json: { etag: put.headers.get("etag"), size: 1024 },
    ...auth,
  });
  await api(origin, `/api/uploads/${videoId}/complete`, { method: "POST", ...auth });
  const deadline = Date.now() + 30_000;
  while (!jobs.has(videoId)) {
    if (Date.now() > deadline) throw new Error("the job never reached the bench fleet");
    await sleep(50);
  }
  return { videoId, job: jobs.get(videoId)!, auth };
}

async function run(watchers: number) {
  const token = await account();
  const { videoId, job, auth } = await queuedVideo(token);
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const sockets: WebSocket[] = [];
  let received = 0;

  // Connect in waves so ticket requests don't all land at once.
  for (let i = 0; i < watchers; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, watchers - i) }, async () => {
        const t = await api<{ ticket: string }>(origin, "/api/ws-ticket", {
          method: "POST",
          json: { videoId },
          ...auth,
        });
        if (t.status !== 201) throw new Error(`ticket: ${t.status} ${JSON.stringify(t.body)}`);
        const ws = new WebSocket(
          `${origin.replace(/^http/, "ws")}/ws/videos/${videoId}?ticket=${t.body.ticket}`,
        );
        await new Promise<void>((resolve, reject) => {
          ws.onopen = () => resolve();
          ws.onerror = () => reject(new Error("websocket failed to open"));
        });
        // The client shares the 2 cores with workerd: keep per-frame work minimal (no JSON.parse),
        // just pull the event index out of `"fps":N` in progress frames.
        ws.onmessage = (e) => {
          const now = performance.now();
          const data = e.data as string;
          const at = data.indexOf('"fps":');
          if (at < 0 || !data.startsWith('{"type":"progress"')) return;
          const sent = sentAt.get(Number.parseInt(data.slice(at + 6), 10));
          if (sent !== undefined) {
            latencies.push(now - sent);
            received++;
          }
        };
        sockets.push(ws);
      }),
    );
  }

  const started = performance.now();
  for (let seq = 0; seq < EVENTS; seq++) {
    const event = {
      v: 1,
      type: "progress",
      videoId,
      jobId: job.jobId,
      attempt: job.attempt,
      attemptId: job.attemptId,
      seq,
      at: new Date().toISOString(),
      stage: "encode",
      percent: (seq / EVENTS) * 100,
      fps: seq, // the event's index travels in `fps` so each frame maps back to its send time
    };
    const body = JSON.stringify(event);
    sentAt.set(seq, performance.now());
    const path = "/internal/transcoder/events";
    const res = await fetch(`${origin}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [SIGNATURE_HEADER]: await signRequest(E2E_SECRETS.TRANSCODER_SECRET, "fleet-to-edge", {
          method: "POST",
          path,
          body,
        }),
      },
      body,
    });
    if (res.status !== 200) throw new Error(`event ${seq}: ${res.status} ${await res.text()}`);
    await sleep(EVENT_INTERVAL_MS);
  }
  const expected = watchers * EVENTS;
  const deadline = performance.now() + 30_000;
  while (received < expected && performance.now() < deadline) await sleep(20);
  const elapsedSec = (performance.now() - started) / 1000;
  for (const ws of sockets) ws.close(1000);
  latencies.sort((a, b) => a - b);
  return {
    watchers,
    events: EVENTS,
    delivered: received,
    expected,
    p50Ms: Number(percentile(latencies, 50).toFixed(1)),
    p99Ms: Number(percentile(latencies, 99).toFixed(1)),
    maxMs: Number(latencies.at(-1)!.toFixed(1)),
    messagesPerSec: Math.round(received / elapsedSec),
  };
}

try {
  const loadStart = await load1();
  const baseline = await run(1);
  const fanout = await run(WATCHERS);
  const result = {
    date: new Date().toISOString(),
    baseline,
    fanout,
    p99Ratio: Number((fanout.p99Ms / baseline.p99Ms).toFixed(2)),
    target: "p99 ≤ 100 ms at 1,000 watchers",
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(join(ROOT, "bench/results/fanout.json"), `${JSON.stringify(result, null, 2)}\n`);
  await appendResultsRow(
    "## Fan-out: one VideoRoom, many WebSocket watchers",
    [],
    `| ${result.date.slice(0, 10)} | fanout | ${fanout.watchers} watchers × ${EVENTS} events, ${EVENT_INTERVAL_MS} ms apart | p50 ${fanout.p50Ms} ms, p99 ${fanout.p99Ms} ms, ${fanout.messagesPerSec} msg/s, ${fanout.delivered}/${fanout.expected} delivered | baseline 1 watcher: p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms | p99 ratio ${result.p99Ratio}× (load ${loadStart} → ${await load1()}) |`,
  );
} finally {
  await stack.stop();
  fleet.close();
}
