/**
 * `npm run bench:transcode`: how soon is an upload playable, and how soon is it ready?
 *
 * For generated phone-like 1080p30 sources (30 s, 2 min, 10 min; H.264 High ~16 Mbit/s +
 * AAC), runs the production pipeline (transcoder/src/handle-job.ts, production limits)
 * against an s3rver in a CHILD process (so serving the source does not share our event
 * loop) and a local event recorder, and measures from the moment the job starts:
 *
 *   - time to first playable: the first `rendition` event reaches the "edge";
 *   - time to each later rendition, and to ready (`done`);
 *   - CPU seconds of every ffmpeg child (/proc/self/stat cutime+cstime, as bench/ladder.ts).
 *
 * Baseline from the same run: the single-process ladder writing every rung at once (what
 * the transcoder did before progressive publishing: nothing playable until every rung is
 * encoded), on the local file, so its figure is a LOWER bound for its first-playable.
 *
 * Trick-play: keyframe-only decode of the low rung (production) vs full decode of the
 * source (sampling with fps) vs keyframe-only decode of the source (fast but thumbnails
 * land on the source's own keyframes, ~8 s apart here).
 *
 *   node bench/transcode.ts [--sources 30s,2m,10m] [--no-baseline] [--runs 1]
 *
 * Writes bench/results/transcode.json and rows in bench/RESULTS.md.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { ensureFixtures, type FixtureName } from "../scripts/make-fixtures.ts";
import { HttpEventReporter } from "../transcoder/src/events.ts";
import { buildHlsArgs, INIT_FILE_PATTERN, INIT_SEGMENT } from "../transcoder/src/ffmpeg/hls.ts";
import { locateFfmpeg, supportsFpsMode } from "../transcoder/src/ffmpeg/locate.ts";
import { probeFile } from "../transcoder/src/ffmpeg/probe.ts";
import { runFfmpeg } from "../transcoder/src/ffmpeg/run.ts";
import { handleJob } from "../transcoder/src/handle-job.ts";
import { outputFrameRate, selectLadder } from "../transcoder/src/ladder.ts";
import { parseMediaPlaylist } from "../transcoder/src/master-playlist.ts";
import { S3Storage } from "../transcoder/src/storage.ts";
import { startEventRecorder } from "../transcoder/src/testing/event-recorder.ts";
import { concatFragments, makeTrickplay } from "../transcoder/src/trickplay.ts";
import { appendResultsRow, load1, measure, BENCH_ROOT as ROOT, round, toJson } from "./lib/results.ts";

const SOURCES: Record<string, FixtureName> = {
  "30s": "landscape-1080p-30s.mp4",
  "2m": "landscape-1080p-2m.mp4",
  "10m": "landscape-1080p-10m.mp4",
};

const { values } = parseArgs({
  options: {
    sources: { type: "string", default: "30s,2m,10m" },
    "no-baseline": { type: "boolean", default: false },
    /** Use the production niceness (10, later phases 15) instead of 0 for every run. */
    "production-nice": { type: "boolean", default: false },
  },
});
const wanted = (values.sources ?? "").split(",").filter((s) => s in SOURCES);
const withBaseline = !values["no-baseline"];
// On a shared machine, foreign processes at nice 0 would starve niced runs and blur the
// comparison: by default everything here (progressive phases and baseline) runs at nice 0.
const nice = values["production-nice"] ? 10 : 0;
const backgroundNiceStep = values["production-nice"] ? 5 : 0;

/** s3rver in its own process: serving a 1.2 GB source must not stall our timers. */
async function startChildS3(dir: string): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const script = `import { startS3Server } from ${JSON.stringify(join(ROOT, "scripts/lib/s3-server.ts"))};
const s = await startS3Server({ directory: ${JSON.stringify(dir)}, port: 0 });
process.stdout.write(s.endpoint + "\\n");`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const endpoint = await new Promise<string>((resolveEndpoint, reject) => {
    child.stdout.setEncoding("utf8");
    child.stdout.once("data", (d: string) => resolveEndpoint(d.trim()));
    child.once("exit", (code) => reject(new Error(`s3rver child exited ${code}`)));
  });
  return {
    endpoint,
    stop: () =>
      new Promise<void>((r) => {
        child.once("exit", () => r());
        child.kill("SIGTERM");
      }),
  };
}

interface SourceResult {
  source: string;
  /** 1-minute load average when this source's runs started and ended (shared VM). */
  load: { start: number; end: number };
  durationSec: number;
  sizeBytes: number;
  progressive: {
    probedSec: number;
    firstPlayableSec: number;
    renditionsSec: Record<string, number>;
    readySec: number;
    cpuSec: number;
  };
  baseline?: { firstPlayableSec: number; cpuSec: number; note: string };
  trickplay?: {
    lowRungKeyframesSec: number;
    lowRungCpuSec: number;
    sourceFullDecodeSec: number;
    sourceFullDecodeCpuSec: number;
    sourceKeyframesSec: number;
    thumbnails: number;
  };
}

async function benchSource(label: string, fixture: FixtureName): Promise<SourceResult> {
  const ffmpeg = await locateFfmpeg();
  const { [fixture]: file } = await ensureFixtures([fixture]);
  const media = await probeFile(ffmpeg.ffprobe, file);
  const loadStart = await load1();
  const sizeBytes = (await stat(file)).size;
  const work = await mkdtemp(join(tmpdir(), "streamline-bench-transcode-"));
  const s3 = await startChildS3(join(work, "s3"));
  const edge = await startEventRecorder("bench");
  const storage = new S3Storage({
    endpoint: s3.endpoint,
    bucket: "streamline",
    region: "us-east-1",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
  });
  const videoId = `v_BENCH${label.padStart(3, "0")}${String(Date.now()).slice(-6)}xx`.slice(0, 18);
  const job = {
    v: 1 as const,
    type: "transcode" as const,
    jobId: `bench-${videoId}`,
    videoId,
    attempt: 1,
    attemptId: `attempt-${videoId}`,
    source: { key: `uploads/${videoId}/source`, size: sizeBytes, contentType: "video/mp4" },
    outputPrefix: `videos/${videoId}/`,
    createdAt: new Date().toISOString(),
  };
  try {
    console.log(`[${label}] seeding ${(sizeBytes / 1e6).toFixed(0)} MB into s3rver…`);
    await storage.upload(job.source.key, file);

    // Progressive pipeline, production settings.
    const seen = new Map<string, number>();
    const t0 = performance.now();
    const poll = setInterval(() => {
      for (const e of edge.events) {
        const key = e.type === "rendition" ? `rendition:${e.rendition.name}` : e.type;
        if (!seen.has(key)) seen.set(key, (performance.now() - t0) / 1000);
      }
    }, 10);
    const reporter = new HttpEventReporter({ edgeUrl: edge.url, secret: "bench", job, node: "bench" });
    const workDir = join(work, "jobs");
    await mkdir(workDir);
    const run = await measure(() =>
      handleJob(job, {
        storage,
        reporter,
        ffmpeg,
        workDir,
        encoder: { preset: "veryfast" },
        limits: { threads: cpus().length, nice, backgroundNiceStep, memoryBytes: 4096 * 1024 * 1024 },
        heartbeatMs: 5000,
      }),
    );
    await sleep(50);
    clearInterval(poll);
    if (run.value.status !== "done") throw new Error(`job failed: ${run.value.reason}`);
    const renditionsSec = Object.fromEntries(
      [...seen].filter(([k]) => k.startsWith("rendition:")).map(([k, v]) => [k.slice(10), round(v)]),
    );
    const firstPlayableSec = Math.min(...Object.values(renditionsSec));
    const result: SourceResult = {
      source: fixture,
      load: { start: loadStart, end: loadStart },
      durationSec: media.probe.durationSec,
      sizeBytes,
      progressive: {
        probedSec: round(seen.get("probed") ?? Number.NaN),
        firstPlayableSec: round(firstPlayableSec),
        renditionsSec,
        readySec: round(seen.get("done") ?? run.wallSec),
        cpuSec: round(run.cpuSec),
      },
    };
    console.log(
      `[${label}] progressive: playable ${result.progressive.firstPlayableSec} s, ready ${result.progressive.readySec} s, ffmpeg CPU ${result.progressive.cpuSec} s`,
      renditionsSec,
    );

    // Baseline: every rung in one process, nothing publishable before it ends.
    const fps = outputFrameRate(media.frameRate);
    const ladder = selectLadder(media.probe, fps);
    const baseDir = join(work, "baseline");
    await mkdir(baseDir);
    if (withBaseline) {
      const args = buildHlsArgs({
        input: file,
        rungs: ladder,
        frameRate: fps,
        audio: media.audioStream !== null ? { stream: media.audioStream } : null,
        preset: "veryfast",
        threads: cpus().length,
        fpsMode: supportsFpsMode(ffmpeg.version),
        colour: media.colour,
      });
      const b = await measure(() =>
        runFfmpeg(ffmpeg.ffmpeg, args, { cwd: baseDir, onProgress: () => {}, nice }),
      );
      result.baseline = {
        firstPlayableSec: round(b.wallSec),
        cpuSec: round(b.cpuSec),
        note: "single-process ladder, local file, encode only (no download/upload): a lower bound",
      };
      console.log(
        `[${label}] baseline (all rungs at once): first playable ≥ ${result.baseline.firstPlayableSec} s, CPU ${result.baseline.cpuSec} s`,
      );
    } else {
      // Trick-play below still needs a low rung.
      const low = ladder.at(-1);
      if (low) {
        const args = buildHlsArgs({
          input: file,
          rungs: [low],
          frameRate: fps,
          preset: "veryfast",
          threads: cpus().length,
          fpsMode: supportsFpsMode(ffmpeg.version),
        });
        await runFfmpeg(ffmpeg.ffmpeg, args, { cwd: baseDir, onProgress: () => {} });
      }
    }

    // Trick-play: low rung keyframes (production) vs the source.
    const low = ladder.at(-1);
    if (low) {
      const lowDir = join(baseDir, low.name);
      const playlist = parseMediaPlaylist(await readFile(join(lowDir, "index.m3u8"), "utf8"));
      const initName = (await readdir(lowDir)).find((f) => INIT_FILE_PATTERN.test(f)) ?? INIT_SEGMENT;
      const lowFile = join(work, "low.mp4");
      await concatFragments(
        [join(lowDir, initName), ...playlist.segments.map((s) => join(lowDir, s.uri))],
        lowFile,
      );
      const common = {
        ffmpeg: ffmpeg.ffmpeg,
        durationSec: media.probe.durationSec,
        width: low.width,
        height: low.height,
        threads: cpus().length,
        timeoutMs: 3_600_000,
      };
      const tp = async (name: string, input: string, keyframesOnly: boolean) => {
        const outDir = join(work, `tp-${name}`);
        await mkdir(outDir);
        return measure(() => makeTrickplay({ ...common, input, keyframesOnly, outDir }));
      };
      const fromLow = await tp("low", lowFile, true);
      const fromSource = await tp("source", file, false);
      const fromSourceKeys = await tp("source-keys", file, true).catch(() => null);
      result.trickplay = {
        lowRungKeyframesSec: round(fromLow.wallSec),
        lowRungCpuSec: round(fromLow.cpuSec),
        sourceFullDecodeSec: round(fromSource.wallSec),
        sourceFullDecodeCpuSec: round(fromSource.cpuSec),
        sourceKeyframesSec: round(fromSourceKeys?.wallSec ?? Number.NaN),
        thumbnails: fromLow.value.count,
      };
      console.log(
        `[${label}] trick-play: low rung ${result.trickplay.lowRungKeyframesSec} s vs source ${result.trickplay.sourceFullDecodeSec} s (${result.trickplay.thumbnails} thumbnails)`,
      );
    }
    result.load.end = await load1();
    return result;
  } finally {
    await edge.close();
    await s3.stop();
    await rm(work, { recursive: true, force: true });
  }
}

async function main() {
  const ffmpeg = await locateFfmpeg();
  const results: SourceResult[] = [];
  for (const label of wanted) results.push(await benchSource(label, SOURCES[label] as FixtureName));
  const at = new Date().toISOString();
  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model?.trim() ?? "unknown",
    node: process.version,
  };
  const loadavg = await readFile("/proc/loadavg", "utf8").then((t) => t.split(" ").slice(0, 3).join(" "));
  const out = {
    at,
    machine,
    ffmpeg: ffmpeg.version.raw,
    loadavgAtEnd: loadavg,
    target: { firstPlayableSec: 10 },
    results,
  };
  await mkdir(join(ROOT, "bench", "results"), { recursive: true });
  const jsonFile = join(ROOT, "bench", "results", "transcode.json");
  // Keep earlier sources' figures when only some were re-run.
  let previous: typeof out | null = null;
  try {
    previous = JSON.parse(await readFile(jsonFile, "utf8")) as typeof out;
  } catch {
    previous = null;
  }
  const merged = {
    ...out,
    results: [
      ...(previous?.results ?? []).filter((r) => !results.some((n) => n.source === r.source)),
      ...results,
    ],
  };
  await writeFile(jsonFile, `${toJson(merged)}\n`);
  for (const r of results) {
    const p = r.progressive;
    const b = r.baseline;
    const t = r.trickplay;
    await appendRow(
      SECTION_PLAYABLE,
      `| ${at.slice(0, 10)} | ${machine.cpus} × ${machine.model} | ${r.source.replace(".mp4", "")} (${(r.sizeBytes / 1e6).toFixed(0)} MB) | ` +
        `**${p.firstPlayableSec} s** | ${p.readySec} s | ${p.cpuSec} s | ` +
        `${b ? `${b.firstPlayableSec} s / ${b.cpuSec} s` : "not run"} | ` +
        `${b ? `${round(b.firstPlayableSec / p.firstPlayableSec, 1)}×` : "—"} | load ${r.load.start} → ${r.load.end} |`,
    );
    if (t) {
      await appendRow(
        SECTION_TRICKPLAY,
        `| ${at.slice(0, 10)} | ${r.source.replace(".mp4", "")} | ${t.thumbnails} | **${t.lowRungKeyframesSec} s** (${t.lowRungCpuSec} s CPU) | ` +
          `${t.sourceFullDecodeSec} s (${t.sourceFullDecodeCpuSec} s CPU) | ${t.sourceKeyframesSec} s | ` +
          `${round(t.sourceFullDecodeSec / t.lowRungKeyframesSec, 1)}× |`,
      );
    }
  }
}

const SECTION_PLAYABLE = "## Transcode: time to first playable and to ready";
const SECTION_TRICKPLAY = "## Trick-play: from the low rung vs from the source";
const INTROS: Record<string, string[]> = {
  [SECTION_PLAYABLE]: [
    "`npm run bench:transcode` (bench/transcode.ts): the production pipeline (handle-job.ts, progressive) on generated",
    "phone-like 1080p30 sources (H.264 High ~16 Mbit/s + AAC) in s3rver (child process), events to a local recorder;",
    "times from job start. Baseline, same run: the single-process ladder encoding every rung at once on the local file",
    "(the pre-progressive design: nothing playable until it ends; encode only, so a lower bound). CPU = ffmpeg children",
    "(cutime+cstime). Target: first playable ≤ 10 s for every length. Raw figures: bench/results/transcode.json.",
    "",
    "| date | machine | source | first playable | ready | CPU (progressive) | baseline, all rungs in one process: playable = ready ≥ / CPU | playable speed-up | 1-min load (2 cores, shared) |",
    "|---|---|---|---|---|---|---|---|---|",
  ],
  [SECTION_TRICKPLAY]: [
    "Same run: sprite sheets + VTT (one thumbnail per 2 s, 160 px) made from the 240p rung decoding keyframes only",
    "(production) vs decoding the whole 1080p source (baseline) vs keyframes of the source (fast, but its GOP is ~8 s,",
    "so thumbnails are not where the cues say).",
    "",
    "| date | source | thumbnails | low rung, keyframes only | source, full decode | source, keyframes only | speed-up |",
    "|---|---|---|---|---|---|---|",
  ],
};

async function appendRow(section: string, row: string): Promise<void> {
  await appendResultsRow(section, INTROS[section] ?? [], row);
}

await main();
