/**
 * Phases 2 and 3, once the video is playable and the source downloaded: ONE ffmpeg per
 * ladder (decode once → split) — every other H.264 rung, then the optional HEVC/AV1
 * ladder — each published rung by rung with a new master each time.
 */
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Rendition } from "@streamline/contracts";
import { videoCodecFromInit } from "../ffmpeg/codecs.ts";
import { buildHlsArgs, INIT_FILE_PATTERN, SEGMENT_SECONDS } from "../ffmpeg/hls.ts";
import { runFfmpeg } from "../ffmpeg/run.ts";
import { HlsPublisher, measureOutput, type PublishedOutput } from "../hls-publisher.ts";
import type { Rung } from "../ladder.ts";
import { timedPhase } from "../metrics.ts";
import { durationGuard } from "./caps.ts";
import type { FirstRung } from "./first-rung.ts";
import type { EncodeContext } from "./plan.ts";
import { videoRendition } from "./renditions.ts";

export async function encodeLadders(
  ctx: EncodeContext,
  localCopy: Promise<unknown>,
  firstRung: Promise<FirstRung>,
): Promise<void> {
  const { rest, extra } = ctx.plan;
  await localCopy;
  let p2: string | null = null;
  if (rest.length > 0) p2 = await encodeLadder(ctx, 1, rest, 1);
  // The low rung's final numbers (and the audio's) must be known before rungs that reference them.
  const { audio } = await firstRung;
  if (p2) await publishLadder(ctx, p2, rest, audio);
  if (extra.length > 0) {
    // SVT-AV1 reserves far more address space than x264 for its lookahead pools.
    const p3 = await encodeLadder(ctx, 2, extra, extra.some((r) => r.codec === "av1") ? 4 : 2);
    await publishLadder(ctx, p3, extra, audio);
  }
}

/** One process for `rungs` from the local copy, into `p<phase + 1>/`. */
async function encodeLadder(ctx: EncodeContext, phase: number, rungs: readonly Rung[], memoryFactor: number) {
  const { run, plan, progress } = ctx;
  const dir = join(run.workDir, `p${phase + 1}`);
  await mkdir(dir);
  const guard = durationGuard(run);
  let producedSec = 0;
  const encode = () =>
    runFfmpeg(
      run.deps.ffmpeg.ffmpeg,
      buildHlsArgs({ ...plan.common, input: ctx.copy.file, rungs, playlistType: "vod" }),
      {
        cwd: dir,
        ...(plan.durationKnown ? { durationSec: plan.probe.durationSec } : {}),
        signal: run.signal,
        timeoutMs: plan.timeoutMs,
        watch: run.encodeWatch(),
        ...run.runLimits("background", memoryFactor),
        onProgress: (p) => {
          guard(p);
          producedSec = p.outTimeSec;
          progress.encode(phase, p);
        },
      },
    );
  const rungNames = rungs.map((r) => r.name);
  await timedPhase(phase === 1 ? "ladder" : "ladder_extra", rungNames, encode, () => producedSec);
  return dir;
}

async function publishLadder(
  ctx: EncodeContext,
  dir: string,
  rungs: readonly Rung[],
  audio: Rendition | null,
) {
  // Smallest first: quickest to upload, and it widens the choice at the bottom first.
  for (const rung of [...rungs].sort((a, b) => a.maxrateKbps - b.maxrateKbps)) {
    const codec = await rungCodec(join(dir, rung.name), rung);
    const [out] = await new HlsPublisher({
      storage: ctx.run.storage,
      outDir: dir,
      outputs: [rung.name],
      keyPrefix: ctx.run.job.outputPrefix,
      playlistType: "VOD",
      segmentSeconds: SEGMENT_SECONDS,
      signal: ctx.run.signal,
      ...(ctx.run.deps.uploadConcurrency ? { concurrency: ctx.run.deps.uploadConcurrency } : {}),
    }).finish(true);
    const measured = measureOutput(out as PublishedOutput, SEGMENT_SECONDS);
    await ctx.renditions.publish([videoRendition(rung, codec, measured, audio, ctx.plan.fps)]);
    ctx.progress.stage("upload", 92, rung.name);
  }
}

/** H.264's CODECS is known in advance; HEVC/AV1's is read back from the init segment. */
async function rungCodec(rungDir: string, rung: Rung): Promise<string> {
  const initName = (await readdir(rungDir)).find((f) => INIT_FILE_PATTERN.test(f));
  if (rung.codec === "h264" || !initName) return rung.videoCodec;
  return videoCodecFromInit(await readFile(join(rungDir, initName))) ?? rung.videoCodec;
}
