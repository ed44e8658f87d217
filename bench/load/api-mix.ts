/**
 * Mixed API load: browse (the home listing), watch metadata, comments (list and post) and
 * search at a fixed rate (open loop: a request leaves every 1/RPS s whether or not the
 * earlier ones answered) for API_SECONDS (default 300). Per kind: p50/p99 and errors,
 * against the same requests one at a time before the load (the baseline, same run). Memory:
 * the RSS of every process of the stack (workerd ×2, wrangler, an idle transcoder node, the
 * bench's own Node with the embedded S3) every 10 s, with a least-squares trend per process.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { api, E2E_SECRETS } from "../../e2e/support.ts";
import {
  type BenchStack,
  benchAccount,
  benchPlaylists,
  clientIp,
  publishBenchVideo,
  queuedVideo,
  verifiedAccount,
  writeVideoFiles,
} from "../lib/bench-stack.ts";
import { processTree, rssBytes } from "../lib/processes.ts";
import { appendResultsRow, load1, round } from "../lib/results.ts";
import { summary, trend } from "../lib/stats.ts";
import { startTranscoderNode } from "../lib/transcoder-node.ts";

export const API_MIX = {
  seconds: Number(process.env.API_SECONDS ?? 300),
  rps: Number(process.env.API_RPS ?? 20),
  sampleEverySec: Number(process.env.API_SAMPLE_SEC ?? 10),
  videos: 8,
  commenters: 20,
};

/** Share of each kind in the mix (sums to 1). */
const MIX = { browse: 0.3, watch: 0.3, comments: 0.2, comment: 0.05, search: 0.15 } as const;
type Kind = keyof typeof MIX;

interface World {
  videoIds: string[];
  commenters: string[];
}

async function seed(b: BenchStack): Promise<World> {
  const owner = await benchAccount(b.origin, "mix");
  const videoIds: string[] = [];
  for (let i = 0; i < API_MIX.videos; i++) {
    const { videoId, job } = await queuedVideo(b, owner, {
      title: `bench load video ${i}`,
      visibility: "public",
    });
    await writeVideoFiles(b, videoId, [...benchPlaylists(["seg_00001.m4s"]), ["720p/init.mp4", "init"]]);
    await publishBenchVideo(b.origin, job, { done: true });
    videoIds.push(videoId);
  }
  const listed = await api<{ videos: unknown[] }>(b.origin, "/api/videos?limit=24");
  if (!listed.body.videos?.length) throw new Error(`nothing listed: ${JSON.stringify(listed.body)}`);
  // 10 comments per minute per user: 20 commenters carry 1 post/s with room to spare.
  const commenters: string[] = [];
  for (let i = 0; i < API_MIX.commenters; i++) commenters.push(await verifiedAccount(b, `c${i}x`));
  return { videoIds, commenters };
}

let sent = 0;
const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;

function kindAt(r: number): Kind {
  let acc = 0;
  for (const [k, share] of Object.entries(MIX) as [Kind, number][]) {
    acc += share;
    if (r < acc) return k;
  }
  return "browse";
}

/** One request of `kind`; resolves to its latency and whether it succeeded. */
async function request(
  origin: string,
  w: World,
  kind: Kind,
): Promise<{ ms: number; ok: boolean; status: number }> {
  const id = pick(w.videoIds);
  const n = sent++;
  const headers = { "cf-connecting-ip": clientIp(20_000 + (n % 2000)) };
  const t0 = performance.now();
  const paths: Record<Kind, () => Promise<{ status: number }>> = {
    browse: () => api(origin, "/api/videos?limit=24", { headers }),
    watch: () => api(origin, `/api/videos/${id}`, { headers }),
    comments: () => api(origin, `/api/videos/${id}/comments`, { headers }),
    search: () =>
      api(origin, `/api/search?q=${encodeURIComponent(pick(["bench", "load video", "vid"]))}`, { headers }),
    comment: () =>
      api(origin, `/api/videos/${id}/comments`, {
        method: "POST",
        json: { text: `load comment ${n}` },
        token: w.commenters[n % w.commenters.length]!,
      }),
  };
  try {
    const res = await paths[kind]();
    return { ms: performance.now() - t0, ok: res.status < 400, status: res.status };
  } catch {
    return { ms: performance.now() - t0, ok: false, status: 0 };
  }
}

type Sample = { kind: Kind; ms: number; ok: boolean; status: number };

/** Each kind `n` times, one request at a time: latency without load. */
async function baseline(origin: string, w: World, n = 20) {
  const out: Sample[] = [];
  for (const kind of Object.keys(MIX) as Kind[])
    for (let i = 0; i < (kind === "comment" ? 5 : n); i++)
      out.push({ kind, ...(await request(origin, w, kind)) });
  return out;
}

/** Every process under this one, RSS in MiB, every `everySec` s until `stop()`. */
function memorySampler(everySec: number) {
  const series = new Map<string, { tSec: number; value: number }[]>();
  const t0 = performance.now();
  let running = true;
  const loop = (async () => {
    while (running) {
      const tSec = (performance.now() - t0) / 1000;
      for (const p of await processTree(process.pid)) {
        const rss = await rssBytes(p.pid);
        if (rss === undefined) continue;
        const key = p.pid === process.pid ? `bench+s3#${p.pid}` : `${p.name}#${p.pid}`;
        series.set(key, [
          ...(series.get(key) ?? []),
          { tSec: round(tSec, 1), value: round(rss / 2 ** 20, 1) },
        ]);
      }
      await sleep(everySec * 1000);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return series;
    },
  };
}

async function openLoop(origin: string, w: World) {
  const samples: Sample[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  const total = Math.round(API_MIX.seconds * API_MIX.rps);
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / API_MIX.rps;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const kind = kindAt(Math.random());
    pending.push(request(origin, w, kind).then((r) => void samples.push({ kind, ...r })));
  }
  await Promise.all(pending);
  return { samples, seconds: (performance.now() - t0) / 1000 };
}

function byKind(samples: Sample[]) {
  const out: Record<
    string,
    ReturnType<typeof summary> & { errors: number; statuses: Record<string, number> }
  > = {};
  for (const kind of Object.keys(MIX) as Kind[]) {
    const mine = samples.filter((s) => s.kind === kind);
    const statuses: Record<string, number> = {};
    for (const s of mine.filter((x) => !x.ok)) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
    out[kind] = { ...summary(mine.map((s) => s.ms)), errors: mine.filter((s) => !s.ok).length, statuses };
  }
  return out;
}

export async function apiMixSection(b: BenchStack) {
  const world = await seed(b);
  const idle = await startTranscoderNode({
    edgeUrl: b.origin,
    s3Endpoint: b.stack.s3Endpoint,
    secret: E2E_SECRETS.TRANSCODER_SECRET,
  });
  try {
    const loadStart = await load1();
    const base = byKind(await baseline(b.origin, world));
    const memory = memorySampler(API_MIX.sampleEverySec);
    const run = await openLoop(b.origin, world);
    const series = await memory.stop();
    const loaded = byKind(run.samples);
    const processes = Object.fromEntries(
      [...series].map(([key, s]) => [
        key,
        {
          firstMiB: s[0]!.value,
          lastMiB: s.at(-1)!.value,
          maxMiB: Math.max(...s.map((x) => x.value)),
          ...trend(s, { skip: Math.ceil(30 / API_MIX.sampleEverySec) }),
          samples: s.length,
          // The whole series (MiB every API_SAMPLE_SEC), to see the shape behind the slope.
          series: s.map((x) => x.value),
        },
      ]),
    );
    const result = {
      seconds: round(run.seconds, 1),
      rps: API_MIX.rps,
      requests: run.samples.length,
      errors: run.samples.filter((s) => !s.ok).length,
      baseline: base,
      loaded,
      processes,
      noUpwardTrend: Object.values(processes).every((p) => p.flat),
      load1: { start: loadStart, end: await load1() },
    };
    await appendApiRow(result);
    return result;
  } finally {
    await idle.stop();
  }
}

async function appendApiRow(r: {
  seconds: number;
  requests: number;
  errors: number;
  baseline: ReturnType<typeof byKind>;
  loaded: ReturnType<typeof byKind>;
  processes: Record<string, { firstMiB: number; lastMiB: number; slopePerMin: number; flat: boolean }>;
  noUpwardTrend: boolean;
  load1: { start: number; end: number };
}) {
  const kinds = (Object.keys(MIX) as Kind[])
    .map(
      (k) =>
        `${k} ${r.loaded[k]!.p50Ms}/${r.loaded[k]!.p99Ms} (alone ${r.baseline[k]!.p50Ms}/${r.baseline[k]!.p99Ms})`,
    )
    .join("; ");
  const memory = Object.entries(r.processes)
    .map(
      ([k, p]) =>
        `${k.split("#")[0]} ${p.firstMiB}→${p.lastMiB} MiB (${p.slopePerMin >= 0 ? "+" : ""}${p.slopePerMin}/min)`,
    )
    .join(", ");
  await appendResultsRow(
    "## Load: mixed API traffic and memory (`npm run bench:load`)",
    [
      "Local stack (wrangler dev + the embedded S3, loopback). Open loop at a fixed rate: 30 % browse (`GET /api/videos`), 30 % watch",
      "metadata (`GET /api/videos/:id`), 20 % comment lists, 5 % comment posts (20 accounts), 15 % search, over 8 public ready videos;",
      "each read from one of 2,000 client addresses. Baseline: each kind alone, one request at a time, same run (p50/p99 in ms).",
      'Memory: RSS of every process of the stack every 10 s, first → last, with the least-squares slope; "no upward trend" = the',
      "fitted growth over the run (the first 30 s left out as warm-up) stays under 5 % of the process's mean.",
      "",
      "| date | rate × time | p50/p99 ms under load (alone) | errors | RSS first → last (slope) | no upward trend | load 1m |",
      "| --- | --- | --- | --- | --- | --- | --- |",
    ],
    `| ${new Date().toISOString().slice(0, 16)}Z | ${API_MIX.rps}/s × ${r.seconds} s (${r.requests} requests) | ${kinds} | ${r.errors} | ${memory} | ${r.noUpwardTrend ? "yes" : "**no**"} | ${r.load1.start} → ${r.load1.end} |`,
  );
}
