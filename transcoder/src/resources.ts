/**
 * Per-job resource policy: how long an ffmpeg run may take (from the media duration),
 * how much scratch disk a job needs before it starts, and the limits every ffmpeg child
 * gets (threads, niceness, address-space cap; applied in ffmpeg/run.ts).
 */
import { statfs } from "node:fs/promises";

export interface ResourceLimits {
  /** `-threads` for decoding, filtering and each encoder; undefined = ffmpeg decides. */
  threads?: number | undefined;
  /** Niceness of the first (playable-soon) encode. 0 = off. */
  nice?: number | undefined;
  /**
   * How much nicer the later phases (rest of the ladder, extra codecs) run than the first:
   * on a busy node a new upload's first rung goes ahead of ladders that are already
   * playable. Default 5.
   */
  backgroundNiceStep?: number | undefined;
  /** Address-space cap per ffmpeg process in bytes; undefined/0 = none. */
  memoryBytes?: number | undefined;
  /** A run may take this many times the media duration … */
  timeoutFactor?: number | undefined;
  /** … but never less than this (short clips still pay process start-up and probing). */
  minTimeoutMs?: number | undefined;
  /** Free scratch space required, as a multiple of the source size. */
  diskHeadroom?: number | undefined;
}

export const DEFAULT_LIMITS = {
  nice: 10,
  timeoutFactor: 6,
  minTimeoutMs: 120_000,
  diskHeadroom: 3,
} as const;

/** Default niceness of background phases relative to the first-rung encode. */
export const BACKGROUND_NICE_STEP = 5;

/** max(min, factor × duration), capped by the job-wide ceiling. */
export function runTimeoutMs(durationSec: number, limits: ResourceLimits, ceilingMs?: number): number {
  const factor = limits.timeoutFactor ?? DEFAULT_LIMITS.timeoutFactor;
  const min = limits.minTimeoutMs ?? DEFAULT_LIMITS.minTimeoutMs;
  const derived = Math.max(min, Math.ceil(factor * Math.max(0, durationSec) * 1000));
  return ceilingMs ? Math.min(ceilingMs, derived) : derived;
}

/** The node's scratch disk cannot take this job right now: another node (or later) may. */
export class InsufficientDiskError extends Error {
  override name = "InsufficientDiskError";
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

/**
 * Source + outputs (all rungs ≈ source bitrate or less) + the low-rung copy for
 * trick-play fit in ~3× the source. Throws InsufficientDiskError otherwise.
 */
export async function ensureDiskSpace(dir: string, sourceBytes: number, headroom: number): Promise<void> {
  if (!(sourceBytes > 0)) return;
  const fs = await statfs(dir);
  const free = Number(fs.bavail) * Number(fs.bsize);
  const need = Math.ceil(sourceBytes * headroom);
  if (free < need) {
    throw new InsufficientDiskError(
      `not enough scratch disk on this transcoder node: need ${gib(need)} (${headroom}× the ${gib(sourceBytes)} source), ${gib(free)} free`,
    );
  }
}
