/**
 * Poster frame: one JPEG at ~10 % of the duration (past fades-from-black and title
 * cards), at most 1280 px wide. A separate, fast ffmpeg call: `-ss` before `-i` seeks by
 * keyframe index instead of decoding from the start.
 */
import { untrustedInputArgs } from "./input-policy.ts";
import { type RunOptions, runFfmpeg } from "./run.ts";

export const POSTER_MAX_WIDTH = 1280;
export const POSTER_FILE = "poster.jpg";

export function posterTimeSec(durationSec: number): number {
  // Never past the last second: some containers overstate duration slightly.
  return Math.max(0, Math.min(durationSec * 0.1, durationSec - 1));
}

export function buildPosterArgs(input: string, output: string, durationSec: number): string[] {
  // biome-ignore format: one flag/value pair per line
  return [
    "-hide_banner", "-nostdin", "-y",
    "-loglevel", "error",
    "-ss", posterTimeSec(durationSec).toFixed(3),
    ...untrustedInputArgs(input),
    "-i", input,
    "-frames:v", "1",
    // min(…,iw): never upscale; -2 keeps the aspect with an even height.
    "-vf", `scale=w='min(${POSTER_MAX_WIDTH},iw)':h=-2,setsar=1`,
    "-q:v", "3",
    "-update", "1",
    output,
  ];
}

/** `limits`: the job's `nice` / `prlimit --as` (the source is hostile bytes, as for any encode). */
export async function makePoster(
  ffmpeg: string,
  input: string,
  output: string,
  durationSec: number,
  limits: Pick<RunOptions, "signal" | "nice" | "memoryBytes"> = {},
): Promise<void> {
  await runFfmpeg(ffmpeg, buildPosterArgs(input, output, durationSec), { timeoutMs: 60_000, ...limits });
}
