/**
 * Media caps (issue 11, hole 4): what one upload may cost, checked right after probing
 * — pixel count, frame rate, duration — each refused with a final, readable reason. The
 * duration cap trusts content, not headers: a claim over the cap is verified by seeking
 * to the cap (a real 26 h file is refused at once, a 2 s file that claims 100 h goes on),
 * and every encode is stopped the moment it has really produced more than the cap.
 */
import type { ProbeResult } from "@streamline/contracts";
import { contentReaches, type MediaInfo } from "../ffmpeg/probe.ts";
import type { FfmpegProgress } from "../ffmpeg/run.ts";
import { log } from "../log.ts";
import type { MediaCaps } from "../resources.ts";
import { JobFailure } from "./failure.ts";
import type { JobRun } from "./job-run.ts";
import type { SourceInput } from "./source.ts";

/** How far past the duration cap an encode may run (container rounding) before it is stopped. */
function durationSlackSec(capSec: number): number {
  return Math.min(60, capSec * 0.1);
}

const mpx = (pixels: number) => `${(pixels / 1e6).toFixed(1)} Mpx`;

export function formatDuration(sec: number): string {
  if (sec >= 3600) return `${(sec / 3600).toFixed(1).replace(/\.0$/, "")} h`;
  if (sec >= 60) return `${(sec / 60).toFixed(1).replace(/\.0$/, "")} min`;
  return `${sec.toFixed(1)} s`;
}

/** The cap the picture breaks (pixels, frame rate), or null. Pure. */
export function pictureOverCap(probe: ProbeResult, caps: MediaCaps): JobFailure | null {
  const pixels = probe.width * probe.height;
  if (pixels > caps.maxPixels) {
    return new JobFailure(
      `the video is ${probe.width}x${probe.height} (${mpx(pixels)}); the limit is ${mpx(caps.maxPixels)} (8K UHD is 7680x4320)`,
      false,
      "resolution_too_high",
    );
  }
  if (probe.fps > caps.maxFps) {
    return new JobFailure(
      `the video runs at ${Math.round(probe.fps)} frames per second; the limit is ${caps.maxFps}`,
      false,
      "frame_rate_too_high",
    );
  }
  return null;
}

/** `atLeast`: the encode got this far and would have gone on. */
export function tooLong(sec: number, caps: MediaCaps, atLeast = false): JobFailure {
  const runs = `${atLeast ? "more than " : ""}${formatDuration(sec)}`;
  return new JobFailure(
    `the video runs ${runs}; the limit is ${formatDuration(caps.maxDurationSec)}`,
    false,
    "too_long",
  );
}

/**
 * Refuses what is over a cap; returns whether the probed duration can be believed (a
 * longer claim the content does not back is replaced by the cap, and corrected from the
 * decoded low rung later).
 */
export async function enforceCaps(run: JobRun, media: MediaInfo, source: SourceInput): Promise<boolean> {
  const { caps } = run;
  const picture = pictureOverCap(media.probe, caps);
  if (picture) throw picture;
  const claimed = media.probe.durationSec;
  if (claimed <= caps.maxDurationSec) return true;
  const reaches = await contentReaches(run.deps.ffmpeg.ffprobe, source.input, caps.maxDurationSec, {
    signal: run.signal,
    inputArgs: source.inputArgs,
    ...run.runLimits("foreground"),
  });
  if (reaches) throw tooLong(claimed, caps);
  log.warn("the header claims more than the content holds", { ...run.ids, claimedSec: claimed });
  media.probe.durationSec = caps.maxDurationSec;
  return false;
}

/** An encode's progress hook that stops the job once it has decoded more than the cap. */
export function durationGuard(run: JobRun): (p: FfmpegProgress) => void {
  const limit = run.caps.maxDurationSec + durationSlackSec(run.caps.maxDurationSec);
  return (p) => {
    if (p.outTimeSec > limit) run.fail(tooLong(p.outTimeSec, run.caps, true));
  };
}
