/**
 * ffprobe → `ProbeResult` (contracts/media.ts) plus the exact frame-rate rational the
 * encoder needs. Owns the decision "is this a playable video?" and the human reason
 * when it is not (the edge shows it to the uploader verbatim).
 */

import { open } from "node:fs/promises";
import type { FailureCode, ProbeResult } from "@streamline/contracts";
import { z } from "zod";
import type { Rational } from "../rational.ts";
import { refusedFormat, unsupportedFormatReason, untrustedInputArgs } from "./input-policy.ts";
import { FfmpegError, runFfmpeg } from "./run.ts";

/** HDR transfer functions we tone-map to SDR (PQ = HDR10/Dolby Vision base, HLG = broadcast/phones). */
export type HdrTransfer = "smpte2084" | "arib-std-b67";

export interface ColourInfo {
  /** ffprobe names: `bt709`, `smpte2084`, `arib-std-b67`, … (null = untagged). */
  transfer: string | null;
  primaries: string | null;
  matrix: string | null;
  /** Set when the source is HDR and must be tone-mapped for an SDR H.264 ladder. */
  hdr: HdrTransfer | null;
}

export interface MediaInfo {
  probe: ProbeResult;
  /** Source average frame rate as a rational (e.g. 30000/1001); 0/1 when unknown. */
  frameRate: Rational;
  /**
   * Which audio stream to use, as the `N` of `-map 0:a:N`: the one marked default, else
   * the first. null = no audio.
   */
  audioStream: number | null;
  colour: ColourInfo;
  /** r_frame_rate and avg_frame_rate disagree: variable frame rate (phones, screen recordings). */
  variableFrameRate: boolean;
}

/** The input is not something we can turn into HLS; retrying will not help. */
export class NotAVideoError extends Error {
  override name = "NotAVideoError";
  /** Human sentence starting with "not a playable video: …". */
  readonly reason: string;
  /** What viewers are told (contracts/failures.ts). */
  readonly code: FailureCode;
  constructor(detail: string, code: FailureCode = "not_a_video") {
    const reason = `not a playable video: ${detail}`;
    super(reason);
    this.reason = reason;
    this.code = code;
  }
}

// Only the fields we read; ffprobe prints many more and versions differ in which.
const FfprobeStream = z.object({
  index: z.number(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  pix_fmt: z.string().optional(),
  sample_aspect_ratio: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  duration: z.string().optional(),
  color_transfer: z.string().optional(),
  color_primaries: z.string().optional(),
  color_space: z.string().optional(),
  disposition: z.record(z.string(), z.number()).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z
    .array(z.looseObject({ side_data_type: z.string().optional(), rotation: z.number().optional() }))
    .optional(),
});
const FfprobeOutput = z.object({
  streams: z.array(FfprobeStream).default([]),
  format: z
    .object({
      format_name: z.string().optional(),
      duration: z.string().optional(),
      bit_rate: z.string().optional(),
    })
    .optional(),
});
type FfprobeStream = z.infer<typeof FfprobeStream>;

// Demuxers that mean "a still image", even when ffprobe reports a tiny duration.
const IMAGE_FORMAT = /(^|,)(image2|\w+_pipe|gif_pipe|webp_pipe|png_pipe|jpeg_pipe|svg_pipe)(,|$)/;

export function parseRational(raw: string | undefined): Rational {
  // "30000/1001" (frame rates) or "32:27" (aspect ratios)
  const m = /^(\d+)[/:](\d+)$/.exec(raw ?? "");
  if (!m) return { num: 0, den: 1 };
  const num = Number(m[1]);
  const den = Number(m[2]);
  return den > 0 && num > 0 ? { num, den } : { num: 0, den: 1 };
}

/** Rotation in degrees, normalised to 0/90/180/270, as ffprobe's display-matrix value. */
export function normaliseRotation(deg: number): number {
  const r = Math.round(deg / 90) * 90;
  return ((r % 360) + 360) % 360;
}

function rotationOf(stream: FfprobeStream): number {
  const matrix = stream.side_data_list?.find((d) => typeof d.rotation === "number");
  if (matrix?.rotation !== undefined) return normaliseRotation(matrix.rotation);
  // Legacy `rotate` tag (ffmpeg < 5 wrote it instead of exporting the matrix).
  const tag = Number(stream.tags?.rotate ?? "0");
  return Number.isFinite(tag) ? normaliseRotation(tag) : 0;
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/**
 * One ffprobe line without the `[demuxer @ 0x…]` or file-path prefix: the first (root
 * cause, e.g. "moov atom not found") or the last (the verdict, e.g. "Invalid data found
 * when processing input").
 */
export function shortFfprobeError(stderrTail: string, pick: "first" | "last" = "first"): string {
  const lines = stderrTail
    .split("\n")
    .map((l) => l.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/, "").trim())
    .filter(Boolean);
  const line = (pick === "first" ? lines[0] : lines.at(-1)) ?? "unknown error";
  const withoutPath = line.replace(/^.*?:\s+(?=[A-Z])/, "");
  return withoutPath.length > 200 ? `${withoutPath.slice(0, 197)}...` : withoutPath;
}

/**
 * Magic numbers of the containers people upload. Lets us tell "a broken video" (a known
 * container ffprobe could not finish) from "not a video at all" (a PDF, a text file).
 */
export function looksLikeMediaContainer(head: Uint8Array): boolean {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (head.length < 12) return false;
  if (ascii(4, 8) === "ftyp" || ascii(4, 8) === "moov" || ascii(4, 8) === "mdat" || ascii(4, 8) === "wide") {
    return true; // ISO BMFF / QuickTime
  }
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return true; // Matroska/WebM
  if (ascii(0, 4) === "RIFF" || ascii(0, 4) === "OggS" || ascii(0, 3) === "FLV") return true;
  if (head[0] === 0x47 && (head.length < 189 || head[188] === 0x47)) return true; // MPEG-TS sync bytes
  if (head[0] === 0x00 && head[1] === 0x00 && head[2] === 0x01 && head[3] === 0xba) return true; // MPEG-PS
  if (head[0] === 0x30 && head[1] === 0x26 && head[2] === 0xb2 && head[3] === 0x75) return true; // ASF/WMV
  return false;
}

const NODE_TROUBLE =
  /error while loading shared libraries|Cannot allocate memory|Resource temporarily unavailable|failed to map segment/i;

/** Maps an ffprobe failure to the reason shown to the uploader. */
export function reasonForProbeFailure(stderrTail: string, head: Uint8Array): string {
  // Not a container at all: ffprobe's root cause is a guess from the file name; its verdict is clearer.
  if (!looksLikeMediaContainer(head)) {
    return `not a recognised video file (ffprobe: ${shortFfprobeError(stderrTail, "last")})`;
  }
  return `file is corrupt or truncated (ffprobe: ${shortFfprobeError(stderrTail, "first")})`;
}

/** Pure part of probing: ffprobe JSON → MediaInfo, or NotAVideoError. Unit-testable. */
export function interpretProbe(json: unknown): MediaInfo {
  const parsed = FfprobeOutput.safeParse(json);
  if (!parsed.success)
    throw new NotAVideoError("ffprobe returned no usable stream information", "corrupt_file");
  const { streams, format } = parsed.data;
  const formatName = format?.format_name ?? "";

  const videos = streams.filter((s) => s.codec_type === "video");
  const moving = videos.filter((s) => s.disposition?.attached_pic !== 1);
  const audios = streams.filter((s) => s.codec_type === "audio");
  if (moving.length === 0) {
    if (videos.length > 0)
      throw new NotAVideoError("it only contains a still picture (cover art), no video stream");
    throw new NotAVideoError(
      audios.length > 0 ? "it is an audio-only file, no video stream found" : "no video stream found",
    );
  }
  if (IMAGE_FORMAT.test(formatName)) {
    throw new NotAVideoError(`it is a still image (${moving[0]?.codec_name ?? formatName}), not a video`);
  }
  const video = moving[0] as FfprobeStream;
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (width <= 0 || height <= 0) {
    throw new NotAVideoError(
      `the video stream has no picture size (codec ${video.codec_name ?? "unknown"})`,
      "corrupt_file",
    );
  }
  const durationSec = contentDuration(format?.duration, [...moving, ...audios]);
  if (!Number.isFinite(durationSec) || durationSec <= 0) {
    throw new NotAVideoError(
      "it has no duration (empty, a still image, or a broken container)",
      "corrupt_file",
    );
  }

  const rotation = rotationOf(video);
  // Non-square pixels (DV, some broadcast files): display size uses the sample aspect.
  const sar = parseRational(video.sample_aspect_ratio);
  const sarFactor = sar.num > 0 ? sar.num / sar.den : 1;
  const squareW = even(width * sarFactor);
  const quarter = rotation === 90 || rotation === 270;
  const avg = parseRational(video.avg_frame_rate);
  const frameRate = avg.num > 0 ? avg : parseRational(video.r_frame_rate);
  const bitrate = Number.parseInt(format?.bit_rate ?? "", 10);

  // Several audio tracks (languages, commentary): the one marked default, else the first.
  const defaultAudio = audios.findIndex((a) => a.disposition?.default === 1);
  const audioStream = audios.length === 0 ? null : Math.max(0, defaultAudio);

  const probe: ProbeResult = {
    durationSec,
    width,
    height,
    displayWidth: quarter ? height : squareW,
    displayHeight: quarter ? squareW : height,
    rotation,
    fps: frameRate.num > 0 ? Math.round((frameRate.num / frameRate.den) * 1000) / 1000 : 0,
    videoCodec: video.codec_name ?? "unknown",
    audioCodec: audios[audioStream ?? 0]?.codec_name ?? null,
    hasAudio: audios.length > 0,
    audioTracks: audios.length,
  };
  if (video.pix_fmt) probe.pixelFormat = video.pix_fmt;
  if (Number.isFinite(bitrate) && bitrate > 0) probe.bitrate = bitrate;
  if (formatName) probe.container = formatName;

  const transfer = known(video.color_transfer);
  const colour: ColourInfo = {
    transfer,
    primaries: known(video.color_primaries),
    matrix: known(video.color_space),
    hdr: transfer === "smpte2084" || transfer === "arib-std-b67" ? transfer : null,
  };
  const real = parseRational(video.r_frame_rate);
  const variableFrameRate =
    avg.num > 0 && real.num > 0 && Math.abs(avg.num / avg.den - real.num / real.den) > 0.01;
  return { probe, frameRate, audioStream, colour, variableFrameRate };
}

/** `HH:MM:SS.fraction` (Matroska's per-track DURATION tag) → seconds. */
function clockSeconds(raw: string | undefined): number {
  const m = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(raw ?? "");
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : Number.NaN;
}

/**
 * The container's duration, unless the streams say they hold less: a patched header
 * (mvhd/mdhd, Matroska Segment Duration) can claim 100 h over 2 s of samples, and the
 * per-stream figures (MP4 sample tables, Matroska track DURATION tags) are what decodes.
 */
export function contentDuration(
  formatDuration: string | undefined,
  streams: readonly FfprobeStream[],
): number {
  const claimed = Number.parseFloat(formatDuration ?? "");
  const own = streams
    .map((s) => {
      const d = Number.parseFloat(s.duration ?? "");
      return Number.isFinite(d) && d > 0 ? d : clockSeconds(s.tags?.DURATION ?? s.tags?.duration);
    })
    .filter((d) => Number.isFinite(d) && d > 0);
  const longestStream = own.length > 0 ? Math.max(...own) : Number.NaN;
  if (!Number.isFinite(claimed) || claimed <= 0) return longestStream;
  return Number.isFinite(longestStream) && longestStream < claimed ? longestStream : claimed;
}

/** ffprobe prints "unknown"/"reserved" for untagged colour properties. */
function known(v: string | undefined): string | null {
  return v && v !== "unknown" && v !== "reserved" && v !== "unspecified" ? v : null;
}

export interface ProbeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Input options placed before `-i` (e.g. HTTP reconnect settings for a URL input). */
  inputArgs?: readonly string[];
  /** The same limits as every encode (`nice`, `prlimit --as`): ffprobe parses hostile bytes too. */
  nice?: number | undefined;
  memoryBytes?: number | undefined;
}

function probeRunOptions(opts: ProbeOptions) {
  return {
    captureStdout: true,
    timeoutMs: opts.timeoutMs ?? 60_000,
    nice: opts.nice,
    memoryBytes: opts.memoryBytes,
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
}

/**
 * Runs ffprobe on a local file or a (presigned) URL, under the untrusted-input policy
 * (input-policy.ts: media demuxers only, no nested opens). Throws NotAVideoError for bad input,
 * FfmpegError otherwise. For a URL, an ffprobe error exit stays an FfmpegError: the
 * caller decides with the downloaded file (the file's first bytes tell "not a video" from
 * "broken video").
 */
export async function probeFile(ffprobe: string, input: string, opts: ProbeOptions = {}): Promise<MediaInfo> {
  const isUrl = /^https?:\/\//.test(input);
  let stdout: string;
  try {
    ({ stdout } = await runFfmpeg(
      ffprobe,
      [
        "-v",
        "error",
        "-hide_banner",
        ...untrustedInputArgs(input),
        ...(opts.inputArgs ?? []),
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        input,
      ],
      probeRunOptions(opts),
    ));
  } catch (err) {
    // A demuxer outside the media whitelist (a playlist, a manifest): the bytes decide, not the transport.
    const refused = err instanceof FfmpegError && err.kind === "exit" ? refusedFormat(err.stderrTail) : null;
    if (refused !== null) throw new NotAVideoError(unsupportedFormatReason(refused), "unsupported_format");
    // ffprobe could not run (its memory cap, a missing library): the node's trouble, not the file's.
    if (err instanceof FfmpegError && NODE_TROUBLE.test(err.stderrTail)) throw err;
    if (err instanceof FfmpegError && err.kind === "exit" && !isUrl) {
      const head = await readHead(input);
      const code = looksLikeMediaContainer(head) ? "corrupt_file" : "not_a_video";
      throw new NotAVideoError(reasonForProbeFailure(err.stderrTail, head), code);
    }
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new NotAVideoError("ffprobe could not describe the file", "corrupt_file");
  }
  return interpretProbe(json);
}

/**
 * How far before `atSec` a seek may land and still count as "the content is there"
 * (keyframe gaps): 5 %, at most 10 min.
 */
function seekSlackSec(atSec: number): number {
  return Math.min(600, atSec * 0.05);
}

/**
 * Whether the first video stream really has content at `atSec`: ffprobe seeks there
 * (through the index: a few reads, not a decode) and reads one packet. A seek past the
 * real end lands back at the start, so a header that only claims the length says no.
 */
export async function contentReaches(
  ffprobe: string,
  input: string,
  atSec: number,
  opts: ProbeOptions = {},
): Promise<boolean> {
  // biome-ignore format: flag/value pairs
  const { stdout } = await runFfmpeg(ffprobe, [
    "-v", "error", "-hide_banner",
    ...untrustedInputArgs(input), ...(opts.inputArgs ?? []),
    "-select_streams", "v:0",
    "-read_intervals", `${atSec.toFixed(3)}%+#1`,
    "-show_entries", "packet=pts_time,dts_time",
    "-print_format", "json",
    input,
  ], probeRunOptions(opts));
  const packets = z
    .object({
      packets: z
        .array(z.object({ pts_time: z.string().optional(), dts_time: z.string().optional() }))
        .default([]),
    })
    .safeParse(JSON.parse(stdout || "{}"));
  if (!packets.success) return false;
  return packets.data.packets.some(
    (p) => Number.parseFloat(p.pts_time ?? p.dts_time ?? "") >= atSec - seekSlackSec(atSec),
  );
}

async function readHead(file: string): Promise<Uint8Array> {
  const fh = await open(file, "r");
  try {
    const buf = new Uint8Array(512);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
