/**
 * Phase 1: ONE fast ffmpeg for the lowest rung + the shared AAC rendition, EVENT
 * playlists published segment by segment while it runs. After `firstPublishSegments`
 * segments the first master goes up and the `rendition` events make the video playable;
 * at the end the playlists get #EXT-X-ENDLIST and the measured figures replace the
 * provisional ones.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Rendition } from "@streamline/contracts";
import { buildHlsArgs, outputNames, SEGMENT_SECONDS } from "../ffmpeg/hls.ts";
import { FfmpegError, runFfmpeg } from "../ffmpeg/run.ts";
import { HlsPublisher, measureOutput, type PublishedOutput } from "../hls-publisher.ts";
import { AUDIO_RENDITION_NAME } from "../ladder.ts";
import { log } from "../log.ts";
import { timedPhase } from "../metrics.ts";
import { durationGuard } from "./caps.ts";
import { describeFfmpegFailure, JobFailure } from "./failure.ts";
import type { EncodeContext, EncodePlan } from "./plan.ts";
import { audioRendition, videoRendition } from "./renditions.ts";
import type { SourceInput } from "./source.ts";

export const FIRST_PUBLISH_SEGMENTS = 2;

/** Output that decoded to far less than the probed duration: the middle of the file is broken. */
const MIN_DECODED_FRACTION = 0.8;

/** The finished low rung on disk (trick-play reads it) and the final audio rendition. */
export interface FirstRung {
  dir: string;
  segments: string[];
  durationSec: number;
  audio: Rendition | null;
}

type LowRungRun =
  | { ok: true; dir: string; state: PublishedOutput[] }
  | { ok: false; error: unknown; nothingStored: boolean };

/** Streams the low rung from `ctx.source`, retrying once from the local copy; resolves when complete. */
export async function streamFirstRung(ctx: EncodeContext, onPlayable: () => void): Promise<FirstRung> {
  const { run, plan } = ctx;
  const gate = new FirstMaster(ctx, onPlayable);
  let result = await encodeLowRung(ctx, join(run.workDir, "p1"), ctx.source, gate);
  if (shouldRetryFromLocalCopy(ctx, result)) {
    // Reading over HTTP failed (a server without ranges, a dropped connection) before
    // anything was published: the same encode from the downloaded file.
    log.warn("phase 1 over the presigned URL failed; retrying from the downloaded file", {
      ...run.ids,
      error: describeFfmpegFailure("phase 1", result.error),
    });
    await ctx.copy.fetch();
    result = await encodeLowRung(
      ctx,
      join(run.workDir, "p1-local"),
      { input: ctx.copy.file, inputArgs: [] },
      gate,
    );
  }
  if (!result.ok) throw result.error;
  const lowOut = outputOf(result.state, plan.low.name);
  // The decoded low rung is the real length: it replaces a claim it contradicts.
  if (!plan.durationKnown || lowOut.durationSec > plan.probe.durationSec + 1)
    correctDuration(ctx, lowOut.durationSec);
  else rejectTruncated(plan, lowOut);
  const audio = await gate.complete(result.state);
  return {
    dir: join(result.dir, plan.low.name),
    segments: lowOut.segments.map((s) => s.uri),
    durationSec: lowOut.durationSec,
    audio,
  };
}

function shouldRetryFromLocalCopy(
  ctx: EncodeContext,
  result: LowRungRun,
): result is { ok: false; error: FfmpegError; nothingStored: true } {
  return (
    !result.ok &&
    result.nothingStored &&
    ctx.source.input !== ctx.copy.file &&
    result.error instanceof FfmpegError &&
    result.error.kind === "exit" &&
    !ctx.run.signal.aborted
  );
}

/** One phase-1 encode into its own folder, published while it runs. */
async function encodeLowRung(
  ctx: EncodeContext,
  dir: string,
  from: SourceInput,
  gate: FirstMaster,
): Promise<LowRungRun> {
  const { run, plan } = ctx;
  await mkdir(dir);
  const publisher = new HlsPublisher({
    storage: run.storage,
    outDir: dir,
    outputs: outputNames({ rungs: [plan.low], audio: plan.audio }),
    keyPrefix: run.job.outputPrefix,
    playlistType: "EVENT",
    segmentSeconds: SEGMENT_SECONDS,
    signal: run.signal,
    ...(run.deps.publishPollMs ? { pollMs: run.deps.publishPollMs } : {}),
    ...(run.deps.uploadConcurrency ? { concurrency: run.deps.uploadConcurrency } : {}),
    onRound: (state) => gate.onRound(state),
  });
  publisher.start();
  try {
    await Promise.race([runLowRungFfmpeg(ctx, dir, from), publisher.failedPromise]);
  } catch (error) {
    await publisher.stop();
    const nothingStored = publisher.snapshot().every((o) => o.segments.length === 0);
    return { ok: false, error, nothingStored };
  }
  return { ok: true, dir, state: await publisher.finish(true) };
}

function runLowRungFfmpeg(ctx: EncodeContext, dir: string, from: SourceInput) {
  const { run, plan, progress } = ctx;
  const args = buildHlsArgs({
    ...plan.common,
    input: from.input,
    inputArgs: from.inputArgs,
    rungs: [plan.low],
    audio: plan.audio,
    playlistType: "event",
  });
  const guard = durationGuard(run);
  let producedSec = 0;
  const encode = () =>
    runFfmpeg(run.deps.ffmpeg.ffmpeg, args, {
      cwd: dir,
      ...(plan.durationKnown ? { durationSec: plan.probe.durationSec } : {}),
      signal: run.signal,
      timeoutMs: plan.timeoutMs,
      watch: run.encodeWatch(),
      ...run.runLimits("foreground"),
      onProgress: (p) => {
        guard(p);
        producedSec = p.outTimeSec;
        progress.encode(0, p);
      },
    });
  return timedPhase("first_rung", [plan.low.name], encode, () => producedSec);
}

/** The header's claim was not the content's length: the decoded low rung is. */
function correctDuration(ctx: EncodeContext, decodedSec: number): void {
  const { run, plan } = ctx;
  log.info("duration from the decoded low rung", { ...run.ids, durationSec: decodedSec });
  plan.probe.durationSec = decodedSec;
  plan.durationKnown = true;
  run.reporter.probed(plan.probe);
}

function outputOf(state: readonly PublishedOutput[], name: string): PublishedOutput {
  return state.find((o) => o.name === name) as PublishedOutput;
}

function rejectTruncated(plan: EncodePlan, lowOut: PublishedOutput): void {
  const { durationSec } = plan.probe;
  if (lowOut.durationSec < durationSec * MIN_DECODED_FRACTION && durationSec - lowOut.durationSec > 2) {
    throw new JobFailure(
      `not a playable video: file is corrupt or truncated (only ${lowOut.durationSec.toFixed(1)} s of ` +
        `${durationSec.toFixed(1)} s could be decoded)`,
      false,
      "corrupt_file",
    );
  }
}

/** The low rung (+ audio) as renditions, from what is stored so far. */
function lowRungRenditions(plan: EncodePlan, state: readonly PublishedOutput[], complete: boolean) {
  const { low } = plan;
  const audioOut = state.find((o) => o.name === AUDIO_RENDITION_NAME);
  const audio = audioOut ? audioRendition(measureOutput(audioOut, SEGMENT_SECONDS)) : null;
  const measured = measureOutput(outputOf(state, low.name), SEGMENT_SECONDS);
  // Before the rung is complete its peak is not known yet: advertise at least the VBV cap.
  const video = complete ? measured : { ...measured, peak: Math.max(measured.peak, low.maxrateKbps * 1000) };
  return { video: videoRendition(low, low.videoCodec, video, audio, plan.fps), audio };
}

/** The first master: once every phase-1 output has enough segments, or at the end for short videos. */
class FirstMaster {
  private published = false;
  private readonly ctx: EncodeContext;
  private readonly onPlayable: () => void;
  private readonly minSegments: number;

  constructor(ctx: EncodeContext, onPlayable: () => void) {
    this.ctx = ctx;
    this.onPlayable = onPlayable;
    this.minSegments = ctx.run.deps.firstPublishSegments ?? FIRST_PUBLISH_SEGMENTS;
  }

  async onRound(state: readonly PublishedOutput[]): Promise<void> {
    if (this.published || !state.every((o) => o.segments.length >= this.minSegments)) return;
    this.published = true;
    const { video, audio } = lowRungRenditions(this.ctx.plan, state, false);
    await this.ctx.renditions.publish(audio ? [video, audio] : [video]);
    log.info("playable", {
      ...this.ctx.run.ids,
      rendition: this.ctx.plan.low.name,
      segments: this.minSegments,
    });
    this.onPlayable();
  }

  /** The complete rung's measured renditions; returns the final audio rendition. */
  async complete(state: readonly PublishedOutput[]): Promise<Rendition | null> {
    const final = lowRungRenditions(this.ctx.plan, state, true);
    const items = final.audio ? [final.video, final.audio] : [final.video];
    if (!this.published) {
      // Shorter than the first-publish threshold: complete before it was ever playable.
      this.published = true;
      await this.ctx.renditions.publish(items);
      this.onPlayable();
    } else {
      // Measured figures replace the provisional ones in the next master.
      this.ctx.renditions.update(items);
    }
    return final.audio;
  }
}
