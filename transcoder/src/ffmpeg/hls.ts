/**
 * The single-process HLS ladder: builds the ONE ffmpeg command that decodes the source
 * once, splits the picture into every rung, encodes H.264 (+ AAC when there is audio)
 * with aligned closed 2 s GOPs and writes fMP4 HLS per rung; then normalises ffmpeg's
 * output layout (`<rung>/init.mp4`, `<rung>/index.m3u8`, `<rung>/seg_NNNNN.m4s`).
 *
 * The master playlist is NOT ffmpeg's (`-master_pl_name`): see master-playlist.ts.
 */
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GOP_SECONDS, gopFrames, type Rung } from "../ladder.ts";
import type { Rational } from "./probe.ts";

/** Segment target: 4 s = two GOPs; short enough for quick starts, long enough for CDN hit rates. */
export const SEGMENT_SECONDS = 4;
export const MEDIA_PLAYLIST = "index.m3u8";
export const INIT_SEGMENT = "init.mp4";

export interface HlsCommandInput {
  /** Source path (absolute, or relative to `cwd` of the run). */
  input: string;
  rungs: readonly Rung[];
  frameRate: Rational;
  hasAudio: boolean;
  /** x264 preset, identical for every rung. */
  preset: string;
  /** `-threads` per encoder; undefined = x264 default. */
  threads?: number | undefined;
  /** ffmpeg ≥ 5.1 knows `-fps_mode`; older builds need `-vsync`. */
  fpsMode: boolean;
}

/** `-filter_complex` graph: decode once → fps → split → scale/setsar/format per rung. */
export function buildFilterGraph(rungs: readonly Rung[], frameRate: Rational): string {
  const fps = `${frameRate.num}/${frameRate.den}`;
  const labels = rungs.map((_, i) => `[s${i}]`).join("");
  // fps before split: one frame-rate conversion for all rungs (VFR → CFR here, once).
  // format=yuv420p after scale so swscale converts 10-bit/4:2:2 sources in the same pass.
  const chains = rungs.map(
    (r, i) => `[s${i}]scale=w=${r.width}:h=${r.height},setsar=1,format=yuv420p[v${i}]`,
  );
  return [`[0:v:0]fps=${fps},split=${rungs.length}${labels}`, ...chains].join(";");
}

/** Per-rung x264 settings; also used verbatim by the per-rung benchmark. */
export function videoEncoderArgs(rung: Rung, streamIndex: number, frameRate: Rational): string[] {
  const s = `v:${streamIndex}`;
  const gop = String(gopFrames(frameRate));
  // biome-ignore format: one flag/value pair per line
  return [
    `-profile:${s}`, rung.profile,
    `-level:${s}`, rung.level,
    `-crf:${s}`, String(rung.crf),
    `-maxrate:${s}`, `${rung.maxrateKbps}k`,
    `-bufsize:${s}`, `${rung.bufsizeKbps}k`,
    `-g:${s}`, gop,
    `-keyint_min:${s}`, gop,
    // No scene-cut keyframes and forced IDRs on the 2 s grid: every rung cuts at the same PTS.
    `-sc_threshold:${s}`, "0",
    `-force_key_frames:${s}`, `expr:gte(t,n_forced*${GOP_SECONDS})`,
    `-flags:${s}`, "+cgop",
  ];
}

/** Options shared by every video encoder (single-process and benchmark alike). */
export function commonVideoArgs(preset: string, threads: number | undefined, fpsMode: boolean): string[] {
  // biome-ignore format: one flag/value pair per line
  return [
    "-c:v", "libx264",
    "-preset", preset,
    ...(threads ? ["-threads", String(threads)] : []),
    ...(fpsMode ? ["-fps_mode", "cfr"] : ["-vsync", "cfr"]),
  ];
}

export function audioEncoderArgs(rung: Rung, streamIndex: number): string[] {
  return [`-b:a:${streamIndex}`, `${rung.audioKbps}k`];
}

export function hlsMuxerArgs(varStreamMap: string): string[] {
  // biome-ignore format: one flag/value pair per line
  return [
    "-f", "hls",
    "-hls_time", String(SEGMENT_SECONDS),
    "-hls_playlist_type", "vod",
    "-hls_flags", "independent_segments",
    "-hls_segment_type", "fmp4",
    // With several variants ffmpeg names these init_<n>.mp4; finaliseHlsOutput renames them.
    "-hls_fmp4_init_filename", INIT_SEGMENT,
    "-hls_segment_filename", "%v/seg_%05d.m4s",
    "-var_stream_map", varStreamMap,
    `%v/${MEDIA_PLAYLIST}`,
  ];
}

/** `v:0,a:0,name:720p v:1,a:1,name:480p …` (video only when the source has no audio). */
export function varStreamMap(rungs: readonly Rung[], hasAudio: boolean): string {
  return rungs.map((r, i) => (hasAudio ? `v:${i},a:${i},name:${r.name}` : `v:${i},name:${r.name}`)).join(" ");
}

/**
 * Full argument array. Run it with `cwd` = the output directory: ffmpeg creates one
 * folder per rung there (`%v` = the rung name).
 */
export function buildHlsArgs(input: HlsCommandInput): string[] {
  const { rungs } = input;
  // biome-ignore format: one flag/value pair per line
  const args = [
    "-hide_banner", "-nostdin", "-y",
    "-loglevel", "error",
    "-progress", "pipe:1", "-nostats",
    "-i", input.input,
    "-filter_complex", buildFilterGraph(rungs, input.frameRate),
  ];
  rungs.forEach((_, i) => {
    args.push("-map", `[v${i}]`);
  });
  if (input.hasAudio) {
    // One AAC encode per rung (different bitrates), muxed into that rung's segments.
    for (const _ of rungs) args.push("-map", "0:a:0");
  }
  args.push(...commonVideoArgs(input.preset, input.threads, input.fpsMode));
  rungs.forEach((r, i) => {
    args.push(...videoEncoderArgs(r, i, input.frameRate));
  });
  if (input.hasAudio) {
    args.push("-c:a", "aac", "-ac", "2", "-ar", "48000");
    rungs.forEach((r, i) => {
      args.push(...audioEncoderArgs(r, i));
    });
  }
  // biome-ignore format: one flag/value pair per line
  args.push(
    "-map_metadata", "-1",
    "-map_chapters", "-1",
    // Many encoders behind one muxer: allow more packets to queue before ffmpeg gives up.
    "-max_muxing_queue_size", "4096",
    ...hlsMuxerArgs(varStreamMap(rungs, input.hasAudio)),
  );
  return args;
}

/**
 * ffmpeg writes `<rung>/init_<n>.mp4` when there are several variants. Rename to
 * `<rung>/init.mp4` and point `#EXT-X-MAP` at it, so storage keys are the same for a
 * one-rung and a five-rung video.
 */
export async function finaliseHlsOutput(outDir: string, rungs: readonly Rung[]): Promise<void> {
  for (const rung of rungs) {
    const dir = join(outDir, rung.name);
    const files = await readdir(dir);
    const init = files.find((f) => /^init(_\d+)?\.mp4$/.test(f));
    if (!init) throw new Error(`ffmpeg produced no init segment for ${rung.name}`);
    if (init !== INIT_SEGMENT) await rename(join(dir, init), join(dir, INIT_SEGMENT));
    const playlistPath = join(dir, MEDIA_PLAYLIST);
    const playlist = await readFile(playlistPath, "utf8");
    const fixed = playlist.replace(/#EXT-X-MAP:URI="[^"]*"/, `#EXT-X-MAP:URI="${INIT_SEGMENT}"`);
    if (fixed !== playlist) await writeFile(playlistPath, fixed);
  }
}
