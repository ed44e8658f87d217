/**
 * Per-job resource policy: how long an ffmpeg run may take (from the media really
 * produced, never from a header's claim),
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
  /** A run may take this many times the media it has really produced … */
  timeoutFactor?: number | undefined;
  /** … plus this (short clips still pay process start-up and probing). */
  minTimeoutMs?: number | undefined;
  /** An encode whose output position does not advance for this long is killed. */
  stallTimeoutMs?: number | undefined;
  /** Free scratch space required, as a multiple of the source size. */
  diskHeadroom?: number | undefined;
}

export const DEFAULT_LIMITS = {
  nice: 10,
  timeoutFactor: 6,
  minTimeoutMs: 120_000,
  stallTimeoutMs: 120_000,
  diskHeadroom: 3,
} as const;

/** What one upload may cost (issue 11, hole 4), checked after probing (pipeline/caps.ts). */
export interface MediaCaps {
  /** Coded width × height; default 8K UHD (7680 × 4320). */
  maxPixels: number;
  /** Seconds of content; default 12 h. */
  maxDurationSec: number;
  /** Frames per second; default 120. */
  maxFps: number;
}

export const DEFAULT_CAPS: MediaCaps = {
  maxPixels: 7680 * 4320,
  maxDurationSec: 12 * 3600,
  maxFps: 120,
};

/** Default niceness of background phases relative to the first-rung encode. */
export const BACKGROUND_NICE_STEP = 5;

/** The longest delay `setTimeout` honours; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * max(min, factor × duration), capped by the job-wide ceiling and by what a timer can
 * hold. Only for media whose length is known for real (the decoded low rung).
 */
export function runTimeoutMs(durationSec: number, limits: ResourceLimits, ceilingMs?: number): number {
  const factor = limits.timeoutFactor ?? DEFAULT_LIMITS.timeoutFactor;
  const min = limits.minTimeoutMs ?? DEFAULT_LIMITS.minTimeoutMs;
  const derived = Math.max(min, Math.ceil(factor * Math.max(0, durationSec) * 1000));
  return Math.min(MAX_TIMER_MS, ceilingMs ? Math.min(ceilingMs, derived) : derived);
}

/** The node's scratch disk cannot take this job right now: another node (or later) may. */
export class InsufficientDiskError extends Error {
  override name = "InsufficientDiskError";
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

/** Less free than this in the scratch dir when a job fails: the disk filled up (ENOSPC). */
const DISK_FULL_BYTES = 1024 * 1024;

/**
 * True when the scratch disk is (all but) full. A full disk surfaces in many disguises — an
 * ENOSPC from our own writes, an ffmpeg muxer that stops early without its playlist — so a
 * failing job checks the disk itself before its temp dir is removed (ADR 0031).
 */
export async function scratchDiskFull(dir: string): Promise<boolean> {
  try {
    const fs = await statfs(dir);
    return Number(fs.bavail) * Number(fs.bsize) < DISK_FULL_BYTES;
  } catch {
    return false;
  }
}

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
