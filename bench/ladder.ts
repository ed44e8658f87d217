/**
 * `npm run bench:ladder`: what does decoding once buy us?
 *
 * On the generated 30 s 1080p source, runs
 *   (a) the single-process ladder (decode once → split → 5 × x264, + the shared AAC
 *       rendition), and
 *   (b) one ffmpeg process per rung (each decodes the source again) + one for the AAC
 *       rendition, the way many reference pipelines do it,
 * with the SAME encoder settings (same argument builders as transcoder/src/ffmpeg/hls.ts),
 * sequentially, and reports wall time, CPU seconds, realtime factor and the CPU ratio b/a.
 *
 * CPU seconds: Node's `process.resourceUsage()` excludes children, so we read the
 * kernel's accounting of reaped children instead: fields `cutime`/`cstime` of
 * /proc/self/stat (user+system time of waited-for children, in clock ticks). libuv reaps
 * every ffmpeg we spawn, so the delta around a run is exactly that run's CPU time.
 *
 * Writes bench/results/ladder.json and adds a row to the ladder section of bench/RESULTS.md.
 *   node bench/ladder.ts [--runs N] [--preset veryfast] [--threads N]
 *
 * Production splits the ladder over phases (docs/adr/0006: the low rung first, the rest
 * in one process): bench/transcode.ts measures that pipeline end to end; this bench keeps
 * the decode-once question on its own.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import {
  audioEncoderArgs,
  buildHlsArgs,
  commonOutputArgs,
  hlsMuxerArgs,
  varStreamMap,
  videoEncoderArgs,
} from "../transcoder/src/ffmpeg/hls.ts";
import { locateFfmpeg, supportsFpsMode } from "../transcoder/src/ffmpeg/locate.ts";
import { probeFile } from "../transcoder/src/ffmpeg/probe.ts";
import { runFfmpeg } from "../transcoder/src/ffmpeg/run.ts";
import { outputFrameRate, type Rung, selectLadder } from "../transcoder/src/ladder.ts";
import {
  appendResultsRow,
  type Measurement,
  measure,
  BENCH_ROOT as ROOT,
  round,
  toJson,
} from "./lib/results.ts";

const SOURCE = "landscape-1080p-30s.mp4";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "1" },
    preset: { type: "string", default: "veryfast" },
    threads: { type: "string" },
  },
});
const runs = Math.max(1, Number(values.runs) || 1);
const preset = values.preset ?? "veryfast";
/** Default: what the transcoder uses with MAX_JOBS=1 (cores / jobs). */
const threads = Number(values.threads) || cpus().length;

/** Args for ONE rung in its own process: same filter chain, encoder and muxer settings. */
function perRungArgs(input: string, rung: Rung, fps: { num: number; den: number }, fpsMode: boolean) {
  const filter = `[0:v:0]fps=${fps.num}/${fps.den},scale=w=${rung.width}:h=${rung.height},setsar=1,format=yuv420p[v0]`;
  // biome-ignore format: one flag/value pair per line
  return [
    "-hide_banner", "-nostdin", "-y",
    "-loglevel", "error",
    "-progress", "pipe:1", "-nostats",
    "-threads", String(threads), "-filter_complex_threads", String(threads),
    "-i", input,
    "-filter_complex", filter,
    "-map", "[v0]",
    ...commonOutputArgs(threads, fpsMode),
    ...videoEncoderArgs(rung, 0, fps, preset, threads),
    "-map_metadata", "-1",
    "-map_chapters", "-1",
    "-max_muxing_queue_size", "4096",
    ...hlsMuxerArgs(varStreamMap([rung], false)),
  ];
}

/** The shared AAC rendition on its own (audio is encoded once in both modes). */
function audioArgs(input: string) {
  // biome-ignore format: one flag/value pair per line
  return [
    "-hide_banner", "-nostdin", "-y",
    "-loglevel", "error",
    "-progress", "pipe:1", "-nostats",
    "-i", input,
    "-map", "0:a:0",
    ...audioEncoderArgs(),
    ...hlsMuxerArgs(varStreamMap([], true)),
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function main() {
  const ffmpeg = await locateFfmpeg();
  const { [SOURCE]: source } = await ensureFixtures([SOURCE]);
  const { probe, frameRate } = await probeFile(ffmpeg.ffprobe, source);
  const fps = outputFrameRate(frameRate);
  const rungs = selectLadder(probe, fps);
  const fpsMode = supportsFpsMode(ffmpeg.version);
  const work = await mkdtemp(join(tmpdir(), "streamline-bench-"));
  console.log(
    `source ${SOURCE}: ${probe.width}x${probe.height} ${probe.fps} fps ${probe.durationSec} s; ` +
      `rungs ${rungs.map((r) => r.name).join(", ")}; x264 preset ${preset}; ${cpus().length} CPUs; ffmpeg ${ffmpeg.version.raw}`,
  );

  const single: Measurement[] = [];
  const perRung: Measurement[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const outA = join(work, `a${i}`);
      await mkdir(outA);
      const args = buildHlsArgs({
        input: source,
        rungs,
        frameRate: fps,
        audio: probe.hasAudio ? { stream: 0 } : null,
        preset,
        threads,
        fpsMode,
      });
      const a = await measure(() =>
        runFfmpeg(ffmpeg.ffmpeg, args, { cwd: outA, onProgress: () => {} }).then(() => {}),
      );
      single.push(a);
      console.log(
        `(a) single process, run ${i + 1}: wall ${a.wallSec.toFixed(1)} s, cpu ${a.cpuSec.toFixed(1)} s`,
      );
      await rm(outA, { recursive: true, force: true });

      const outB = join(work, `b${i}`);
      await mkdir(outB);
      const b = await measure(async () => {
        for (const rung of rungs) {
          const r = await measure(() =>
            runFfmpeg(ffmpeg.ffmpeg, perRungArgs(source, rung, fps, fpsMode), {
              cwd: outB,
              onProgress: () => {},
            }).then(() => {}),
          );
          console.log(`    ${rung.name}: wall ${r.wallSec.toFixed(1)} s, cpu ${r.cpuSec.toFixed(1)} s`);
        }
        if (probe.hasAudio) {
          await runFfmpeg(ffmpeg.ffmpeg, audioArgs(source), { cwd: outB, onProgress: () => {} });
        }
      });
      perRung.push(b);
      console.log(
        `(b) process per rung, run ${i + 1}: wall ${b.wallSec.toFixed(1)} s, cpu ${b.cpuSec.toFixed(1)} s`,
      );
      await rm(outB, { recursive: true, force: true });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const summarise = (ms: Measurement[]) => {
    const wallSec = median(ms.map((m) => m.wallSec));
    const cpuSec = median(ms.map((m) => m.cpuSec));
    return {
      wallSec: round(wallSec),
      cpuSec: round(cpuSec),
      realtimeFactor: round(probe.durationSec / wallSec),
    };
  };
  const a = summarise(single);
  const b = summarise(perRung);
  const cpuRatio = round(b.cpuSec / a.cpuSec);
  const wallRatio = round(b.wallSec / a.wallSec);
  const result = {
    at: new Date().toISOString(),
    source: {
      file: SOURCE,
      width: probe.width,
      height: probe.height,
      fps: probe.fps,
      durationSec: probe.durationSec,
      bitrate: probe.bitrate,
    },
    rungs: rungs.map((r) => r.name),
    preset,
    threads,
    runs,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", node: process.version },
    ffmpeg: ffmpeg.version.raw,
    cpuMethod: "/proc/self/stat cutime+cstime delta (reaped children)",
    singleProcess: a,
    processPerRung: b,
    rawRuns: single.map((m, i) => ({
      singleProcess: { wallSec: round(m.wallSec), cpuSec: round(m.cpuSec) },
      processPerRung: { wallSec: round(perRung[i]?.wallSec ?? 0), cpuSec: round(perRung[i]?.cpuSec ?? 0) },
    })),
    cpuRatio,
    wallRatio,
    target: { cpuRatio: 1.3, met: cpuRatio >= 1.3 },
  };

  console.log("");
  console.log(`(a) single process : wall ${a.wallSec} s, cpu ${a.cpuSec} s, ${a.realtimeFactor}× realtime`);
  console.log(`(b) process per rung: wall ${b.wallSec} s, cpu ${b.cpuSec} s, ${b.realtimeFactor}× realtime`);
  console.log(
    `CPU ratio b/a = ${cpuRatio} (target ≥ 1.3: ${result.target.met ? "met" : "NOT met"}); wall ratio ${wallRatio}`,
  );

  await mkdir(join(ROOT, "bench", "results"), { recursive: true });
  await writeFile(join(ROOT, "bench", "results", "ladder.json"), `${toJson(result)}\n`);
  await appendResultsRow(
    SECTION,
    SECTION_INTRO,
    `| ${result.at.slice(0, 10)} | ${result.machine.cpus} × ${result.machine.model.trim()} | ` +
      `${probe.width}x${probe.height} ${probe.fps} fps ${probe.durationSec} s, ${round((probe.bitrate ?? 0) / 1e6, 1)} Mbit/s | ` +
      `ffmpeg ${result.ffmpeg}, x264 ${preset}, ${threads} threads | ` +
      `${a.wallSec} s / ${a.cpuSec} s / ${a.realtimeFactor}× | ${b.wallSec} s / ${b.cpuSec} s / ${b.realtimeFactor}× | **${cpuRatio}** |`,
  );
}

const SECTION = "## Ladder: single process vs process per rung";
const SECTION_INTRO = [
  "`npm run bench:ladder` (bench/ladder.ts) on the generated 30 s 1080p source (testsrc2 + tone, encoded like a",
  "phone recording: H.264 High, CABAC, ~16 Mbit/s), 5 rungs 1080p→240p, identical x264/AAC settings in both modes,",
  "run sequentially.",
  "CPU = user+sys of the ffmpeg children (/proc/self/stat cutime+cstime). Realtime factor = media seconds / wall",
  "seconds. With --runs N the row shows medians. Target: CPU ratio b/a ≥ 1.3. Raw numbers of the last run:",
  "bench/results/ladder.json.",
  "",
  "| date | machine | source | encoder | (a) single process: wall / CPU / realtime | (b) process per rung: wall / CPU / realtime | CPU b/a |",
  "|---|---|---|---|---|---|---|",
];

await main();
