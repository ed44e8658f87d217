/**
 * Test helpers for media checks: ffmpeg availability with CI semantics, and ffprobe
 * queries on produced HLS (keyframe positions, avcC codec string).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type FfmpegBinaries, locateFfmpeg } from "../ffmpeg/locate.ts";

const execFileAsync = promisify(execFile);

/**
 * Resolves the ffmpeg binaries for a test file, or null with a visible notice. Under
 * CI (process.env.CI set) a missing ffmpeg is an error, never a silent skip.
 */
export async function ffmpegForTests(): Promise<FfmpegBinaries | null> {
  try {
    return await locateFfmpeg();
  } catch (err) {
    if (process.env.CI) throw new Error(`CI is set but ffmpeg is unavailable: ${String(err)}`);
    console.warn(`\n[transcoder tests] SKIPPING media tests: ${String(err)}\n`);
    return null;
  }
}

export interface PacketInfo {
  ptsSec: number;
  key: boolean;
}

/** Video packets of a (concatenated init + segment) fMP4 file. */
export async function videoPackets(ffprobe: string, file: string): Promise<PacketInfo[]> {
  // biome-ignore format: one flag/value pair per line
  const { stdout } = await execFileAsync(ffprobe, [
    "-v", "error",
    "-select_streams", "v:0",
    "-show_entries", "packet=pts_time,flags",
    "-of", "csv=p=0",
    file,
  ]);
  return stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [pts, flags] = line.split(",");
      return { ptsSec: Number(pts), key: (flags ?? "").includes("K") };
    });
}

export async function probeStreams(
  ffprobe: string,
  file: string,
): Promise<Record<string, string | number>[]> {
  const { stdout } = await execFileAsync(ffprobe, [
    "-v",
    "error",
    "-print_format",
    "json",
    "-show_streams",
    "-show_format",
    file,
  ]);
  const json = JSON.parse(stdout) as { streams: Record<string, string | number>[] };
  return json.streams;
}

/** Codec strings as the init segment's configuration box states them (production code). */
export { avc1FromInit, videoCodecFromInit } from "../ffmpeg/codecs.ts";

/** Decoded PCM (mono s16le, 48 kHz) of the first `seconds` of a file's first audio stream. */
export async function decodeAudio(ffmpeg: string, file: string, seconds = 1): Promise<Int16Array> {
  const { stdout } = await execFileAsync(
    ffmpeg,
    // biome-ignore format: flag/value pairs
    ["-v", "error", "-i", file, "-map", "0:a:0", "-t", String(seconds), "-ac", "1", "-ar", "48000", "-f", "s16le", "pipe:1"],
    { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 },
  );
  const buf = stdout as Buffer;
  return new Int16Array(buf.buffer, buf.byteOffset, Math.floor(buf.length / 2));
}

/** Dominant frequency of a pure tone, from zero crossings. */
export function toneFrequency(pcm: Int16Array, sampleRate = 48000): number {
  let crossings = 0;
  for (let i = 1; i < pcm.length; i++) {
    if (((pcm[i - 1] ?? 0) < 0 && (pcm[i] ?? 0) >= 0) || ((pcm[i - 1] ?? 0) >= 0 && (pcm[i] ?? 0) < 0))
      crossings++;
  }
  return crossings / 2 / (pcm.length / sampleRate);
}
