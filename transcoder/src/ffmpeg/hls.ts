/**
 * ffmpeg commands that write fMP4 HLS: ONE process decodes the source once, normalises
 * it (CFR, HDR → SDR, 8-bit 4:2:0), splits the picture into every rung it encodes, and
 * writes one media playlist per rung (`<rung>/index.m3u8`, `<rung>/init*.mp4`,
 * `<rung>/seg_NNNNN.m4s`), optionally plus the shared AAC rendition (`audio/…`).
 *
 * Every command, whichever rungs and codec it encodes, forces IDR frames on the same 2 s
 * grid after the same `fps` filter and cuts 4 s segments, so separately encoded rungs
 * (phase 1 low rung, phase 2 ladder, extra codec ladder) have identical segment
 * boundaries. The playlists ffmpeg writes are inputs to hls-publisher.ts; the ones
 * players see are ours (master-playlist.ts).
 */
import { AUDIO_KBPS, AUDIO_RENDITION_NAME, GOP_SECONDS, gopFrames, type Rung } from "../ladder.ts";
import type { Rational } from "../rational.ts";
import { untrustedInputArgs } from "./input-policy.ts";
import type { ColourInfo } from "./probe.ts";

/** Segment target: 4 s = two GOPs; short enough for quick starts, long enough for CDN hit rates. */
export const SEGMENT_SECONDS = 4;
export const MEDIA_PLAYLIST = "index.m3u8";
export const INIT_SEGMENT = "init.mp4";
/** ffmpeg names the init segment of variant n `init_<n>.mp4` when there are several. */
export const INIT_FILE_PATTERN = /^init(_\d+)?\.mp4$/;
export const SEGMENT_FILE_PATTERN = /^seg_\d{5}\.m4s$/;

/** x265 and SVT-AV1 presets for extra ladders: fast enough for a 2-core node. */
const X265_PRESET = "superfast";
const SVT_AV1_PRESET = "10";

export interface HlsCommandInput {
  /** Source path (absolute, or relative to `cwd` of the run) or a presigned URL. */
  input: string;
  /** Options placed before `-i` (HTTP reconnect settings, decoder threads). */
  inputArgs?: readonly string[];
  /** Video rungs encoded by this process, best first. May be empty when only audio is wanted. */
  rungs: readonly Rung[];
  frameRate: Rational;
  /** Encode the shared AAC rendition from `0:a:<stream>` in this process. */
  audio?: { stream: number } | null | undefined;
  /** x264 preset (HEVC/AV1 rungs use their own fast presets). */
  preset: string;
  /** Threads per encoder and for decoding/filtering; undefined = ffmpeg decides. */
  threads?: number | undefined;
  /** ffmpeg ≥ 5.1 knows `-fps_mode`; older builds need `-vsync`. */
  fpsMode: boolean;
  /** `event`: the playlist grows while encoding (progressive publishing); `vod`: written once. */
  playlistType?: "vod" | "event";
  /** Source colour tags; HDR (PQ/HLG) is tone-mapped to BT.709 SDR. */
  colour?: ColourInfo | undefined;
}

/**
 * HDR → SDR: linearise (zimg), tone-map with Hable in float RGB, back to BT.709 limited
 * range. Sized to the largest rung first, so the float stages run on at most 1080p.
 * Only used when ffprobe tagged the source PQ or HLG (zscale needs the input tags).
 */
export function toneMapChain(colour: ColourInfo, width: number, height: number): string {
  const tin = colour.transfer ?? "smpte2084";
  const pin = colour.primaries ?? "bt2020";
  const min = colour.matrix ?? "bt2020nc";
  return [
    `zscale=w=${width}:h=${height}:tin=${tin}:pin=${pin}:min=${min}:t=linear:npl=100`,
    "format=gbrpf32le",
    "zscale=p=bt709",
    "tonemap=tonemap=hable:desat=0",
    "zscale=t=bt709:m=bt709:r=tv",
    "format=yuv420p",
  ].join(",");
}

/** `-filter_complex` graph: decode once → fps (→ tone-map) → split → scale/setsar/format per rung. */
export function buildFilterGraph(
  rungs: readonly Rung[],
  frameRate: Rational,
  colour?: ColourInfo | undefined,
): string {
  const fps = `${frameRate.num}/${frameRate.den}`;
  const top = rungs[0];
  const pre = [`fps=${fps}`];
  // fps before split: one frame-rate conversion for all rungs (VFR → CFR here, once).
  if (colour?.hdr && top) pre.push(toneMapChain(colour, top.width, top.height));
  const labels = rungs.map((_, i) => `[s${i}]`).join("");
  // format=yuv420p after scale so swscale converts 10-bit/4:2:2 sources in the same pass.
  const chains = rungs.map(
    (r, i) => `[s${i}]scale=w=${r.width}:h=${r.height},setsar=1,format=yuv420p[v${i}]`,
  );
  return [`[0:v:0]${pre.join(",")},split=${rungs.length}${labels}`, ...chains].join(";");
}

/** Rate control + the aligned-GOP settings every codec gets. */
function gopArgs(s: string, frameRate: Rational): string[] {
  const gop = String(gopFrames(frameRate));
  // biome-ignore format: one flag/value pair per line
  return [
    `-g:${s}`, gop,
    `-keyint_min:${s}`, gop,
    // Forced IDRs on the 2 s grid: every rung of every process cuts at the same PTS.
    `-force_key_frames:${s}`, `expr:gte(t,n_forced*${GOP_SECONDS})`,
  ];
}

/** Per-rung encoder settings; also used verbatim by the per-rung benchmark. */
export function videoEncoderArgs(
  rung: Rung,
  streamIndex: number,
  frameRate: Rational,
  preset: string,
  threads?: number,
): string[] {
  const s = `v:${streamIndex}`;
  const rate = [`-maxrate:${s}`, `${rung.maxrateKbps}k`, `-bufsize:${s}`, `${rung.bufsizeKbps}k`];
  switch (rung.codec) {
    case "h264":
      // biome-ignore format: one flag/value pair per line
      return [
        `-c:${s}`, "libx264",
        `-preset:${s}`, preset,
        `-profile:${s}`, rung.profile,
        ...(rung.level ? [`-level:${s}`, rung.level] : []),
        `-crf:${s}`, String(rung.crf),
        ...rate,
        ...gopArgs(s, frameRate),
        // No scene-cut keyframes; closed GOPs so every segment decodes on its own.
        `-sc_threshold:${s}`, "0",
        `-flags:${s}`, "+cgop",
      ];
    case "hevc":
      // biome-ignore format: one flag/value pair per line
      return [
        `-c:${s}`, "libx265",
        `-preset:${s}`, X265_PRESET,
        `-profile:${s}`, rung.profile,
        `-crf:${s}`, String(rung.crf),
        ...rate,
        ...gopArgs(s, frameRate),
        // hvc1 (parameter sets in the init segment) is what Apple devices require in fMP4.
        `-tag:${s}`, "hvc1",
        `-x265-params:${s}`,
        `scenecut=0:open-gop=0:log-level=error${threads ? `:pools=${threads}` : ""}`,
      ];
    case "av1":
      // SVT-AV1 1.4 has no capped CRF: BANDWIDTH is measured from the output anyway.
      // biome-ignore format: one flag/value pair per line
      return [
        `-c:${s}`, "libsvtav1",
        `-preset:${s}`, SVT_AV1_PRESET,
        `-crf:${s}`, String(rung.crf),
        ...gopArgs(s, frameRate),
        // No scene-change keyframes, closed GOP (key frame, not intra-only refresh).
        `-svtav1-params:${s}`,
        `tune=0:scd=0:irefresh-type=2${threads ? `:lp=${threads}` : ""}`,
      ];
  }
}

/** Options shared by every output of a command. */
export function commonOutputArgs(threads: number | undefined, fpsMode: boolean): string[] {
  return [
    ...(threads ? ["-threads", String(threads)] : []),
    ...(fpsMode ? ["-fps_mode", "cfr"] : ["-vsync", "cfr"]),
  ];
}

/** The shared AAC-LC stereo 48 kHz rendition. */
export function audioEncoderArgs(): string[] {
  return ["-c:a", "aac", "-ac", "2", "-ar", "48000", "-b:a", `${AUDIO_KBPS}k`];
}

export function hlsMuxerArgs(varStreamMap: string, playlistType: "vod" | "event" = "vod"): string[] {
  // biome-ignore format: one flag/value pair per line
  return [
    "-f", "hls",
    "-hls_time", String(SEGMENT_SECONDS),
    "-hls_playlist_type", playlistType,
    "-hls_list_size", "0",
    "-hls_flags", "independent_segments",
    "-hls_segment_type", "fmp4",
    "-hls_fmp4_init_filename", INIT_SEGMENT,
    "-hls_segment_filename", "%v/seg_%05d.m4s",
    "-var_stream_map", varStreamMap,
    `%v/${MEDIA_PLAYLIST}`,
  ];
}

/** `v:0,name:720p v:1,name:480p … a:0,name:audio`: one folder per rung, audio in its own. */
export function varStreamMap(rungs: readonly Rung[], withAudio: boolean): string {
  const video = rungs.map((r, i) => `v:${i},name:${r.name}`);
  return [...video, ...(withAudio ? [`a:0,name:${AUDIO_RENDITION_NAME}`] : [])].join(" ");
}

/** Names of the output folders a command writes, in var_stream_map order. */
export function outputNames(input: Pick<HlsCommandInput, "rungs" | "audio">): string[] {
  return [...input.rungs.map((r) => r.name), ...(input.audio ? [AUDIO_RENDITION_NAME] : [])];
}

/**
 * Full argument array. Run it with `cwd` = the output directory: ffmpeg creates one
 * folder per output there (`%v` = the rung name).
 */
export function buildHlsArgs(input: HlsCommandInput): string[] {
  const { rungs } = input;
  const withAudio = !!input.audio;
  if (rungs.length === 0 && !withAudio) throw new Error("an HLS command needs at least one output");
  // biome-ignore format: one flag/value pair per line
  const args = [
    "-hide_banner", "-nostdin", "-y",
    "-loglevel", "error",
    "-progress", "pipe:1", "-nostats",
    ...(input.threads ? ["-threads", String(input.threads), "-filter_complex_threads", String(input.threads)] : []),
    ...untrustedInputArgs(input.input),
    ...(input.inputArgs ?? []),
    "-i", input.input,
  ];
  if (rungs.length > 0) {
    args.push("-filter_complex", buildFilterGraph(rungs, input.frameRate, input.colour));
    rungs.forEach((_, i) => {
      args.push("-map", `[v${i}]`);
    });
  }
  if (input.audio) args.push("-map", `0:a:${input.audio.stream}`);
  args.push(...commonOutputArgs(input.threads, input.fpsMode));
  rungs.forEach((r, i) => {
    args.push(...videoEncoderArgs(r, i, input.frameRate, input.preset, input.threads));
  });
  if (input.audio) args.push(...audioEncoderArgs());
  // biome-ignore format: one flag/value pair per line
  args.push(
    "-map_metadata", "-1",
    "-map_chapters", "-1",
    // Many encoders behind one muxer: allow more packets to queue before ffmpeg gives up.
    "-max_muxing_queue_size", "4096",
    ...hlsMuxerArgs(varStreamMap(rungs, withAudio), input.playlistType ?? "vod"),
  );
  return args;
}

/**
 * Input options for reading the source straight from storage over HTTP(S). The protocol
 * and format whitelists come from input-policy.ts, which every user-media read applies.
 */
export function httpInputArgs(): string[] {
  // biome-ignore format: one flag/value pair per line
  return [
    "-reconnect", "1",
    "-reconnect_on_network_error", "1",
    "-reconnect_delay_max", "5",
    "-rw_timeout", "30000000",
  ];
}
