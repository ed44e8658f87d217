/**
 * The encode plan (which rung goes first, what each later phase encodes, the settings
 * every ffmpeg run shares) and the context the encode phases share: the plan, the
 * source, the rendition publisher and the whole-job progress.
 */
import type { ProbeResult } from "@streamline/contracts";
import type { ProgressStage } from "../events.ts";
import type { HlsCommandInput } from "../ffmpeg/hls.ts";
import type { MediaInfo } from "../ffmpeg/probe.ts";
import { type FfmpegProgress, MAX_TIMER_MS } from "../ffmpeg/run.ts";
import { extraLadder, outputFrameRate, type Rung, selectLadder } from "../ladder.ts";
import { fpsValue } from "../rational.ts";
import type { JobRun, SourceCopy } from "./job-run.ts";
import { RenditionPublisher } from "./renditions.ts";
import type { SourceInput } from "./source.ts";

export interface EncodePlan {
  probe: ProbeResult;
  /** The output frame rate as a number (FRAME-RATE). */
  fps: number;
  /** Phase 1: the lowest rung, streamed first. */
  low: Rung;
  /** Phase 2: every other H.264 rung, best first. */
  rest: Rung[];
  /** Phase 3: the HEVC/AV1 ladders (`EXTRA_CODECS`). */
  extra: Rung[];
  /** The shared AAC rendition's source stream (encoded in phase 1), or none. */
  audio: { stream: number } | null;
  /**
   * The probed duration is backed by the content (false: a header claimed more than the
   * content holds; `probe.durationSec` is corrected from the decoded low rung).
   */
  durationKnown: boolean;
  /** Static wall-clock ceiling per encode (the job-wide one); the real bound is progress-based. */
  timeoutMs: number;
  /** What every HLS command of this job shares. */
  common: Pick<HlsCommandInput, "frameRate" | "preset" | "threads" | "fpsMode" | "colour">;
}

/** What every encode phase reads: one per job attempt, built once the source is probed. */
export interface EncodeContext {
  run: JobRun;
  plan: EncodePlan;
  /** The downloaded source (phases 2 and 3 and the poster read it). */
  copy: SourceCopy;
  /** What phase 1 reads: the presigned URL or the downloaded file. */
  source: SourceInput;
  renditions: RenditionPublisher;
  progress: ProgressTracker;
}

export function planEncode(run: JobRun, media: MediaInfo, durationKnown = true): EncodePlan {
  const { probe } = media;
  const frameRate = outputFrameRate(media.frameRate);
  const ladder = selectLadder(probe, frameRate);
  return {
    probe,
    fps: fpsValue(frameRate),
    low: ladder.at(-1) as Rung,
    rest: ladder.slice(0, -1),
    extra: (run.deps.encoder.extraCodecs ?? []).flatMap((c) => extraLadder(ladder, c)),
    audio: media.audioStream !== null ? { stream: media.audioStream } : null,
    durationKnown,
    timeoutMs: Math.min(MAX_TIMER_MS, run.deps.timeoutMs ?? MAX_TIMER_MS),
    common: {
      frameRate,
      preset: run.deps.encoder.preset,
      threads: run.limits.threads,
      fpsMode: run.fpsMode,
      colour: media.colour,
    },
  };
}

export function encodeContext(
  run: JobRun,
  copy: SourceCopy,
  probed: { media: MediaInfo; source: SourceInput },
  durationKnown = true,
): EncodeContext {
  const plan = planEncode(run, probed.media, durationKnown);
  return {
    run,
    plan,
    copy,
    source: probed.source,
    renditions: new RenditionPublisher(run.storage, run.reporter, run.job.outputPrefix, run.signal),
    // Estimated cost per phase: the low rung, 2 per other rung, 4 per extra-codec rung.
    progress: new ProgressTracker(run.reporter, [1, plan.rest.length * 2, plan.extra.length * 4]),
  };
}

/** Whole-job percent: download/probe first, then the encode phases by estimated cost, then the tail. */
export class ProgressTracker {
  private readonly reporter: JobRun["reporter"];
  private readonly weights: number[];
  private readonly done: number[];
  constructor(reporter: JobRun["reporter"], weights: number[]) {
    this.reporter = reporter;
    this.weights = weights;
    this.done = weights.map(() => 0);
  }
  encode(phase: number, p: FfmpegProgress): void {
    this.done[phase] = Math.min(1, (p.percent ?? 0) / 100);
    const total = this.weights.reduce((a, b) => a + b, 0) || 1;
    const fraction = this.weights.reduce((s, w, i) => s + w * (this.done[i] ?? 0), 0) / total;
    this.reporter.progress({
      stage: "encode",
      percent: 12 + 80 * fraction,
      fps: p.fps,
      speed: p.speed,
      etaSec: p.etaSec,
    });
  }
  stage(stage: ProgressStage, percent: number, rendition?: string): void {
    this.reporter.progress({ stage, percent, ...(rendition ? { rendition } : {}) });
  }
}
