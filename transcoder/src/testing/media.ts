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

export async function probeDuration(ffprobe: string, file: string): Promise<number> {
  const { stdout } = await execFileAsync(ffprobe, [
    "-v",
    "error",
    "-show_entries",
    "format=duration",
    "-of",
    "csv=p=0",
    file,
  ]);
  return Number(stdout.trim());
}

/** `avc1.PPCCLL` read from the avcC box of an init segment: what the SPS really says. */
export function avc1FromInit(init: Uint8Array): string | null {
  const buf = Buffer.from(init);
  const at = buf.indexOf("avcC");
  if (at < 0 || at + 8 > buf.length) return null;
  const hex = (n: number) => n.toString(16).padStart(2, "0");
  return `avc1.${hex(buf[at + 5] ?? 0)}${hex(buf[at + 6] ?? 0)}${hex(buf[at + 7] ?? 0)}`;
}
