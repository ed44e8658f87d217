/**
 * The encoding ladder: which rungs a source gets, their exact sizes, bitrate caps, H.264
 * profile/level, and the HLS CODECS string that follows from those settings. Pure
 * functions only; ffmpeg arguments are built from this in ffmpeg/hls.ts.
 *
 * Choices (and why):
 * - Rungs are keyed by the SHORT side of the displayed picture, so a 720x1280 phone
 *   video gets 720x1280, 480x854, 360x640, 240x426: the same pixel budget (and so the
 *   same bitrate caps) as its landscape twin, and "720p" means the same quality in both.
 * - Never upscale: only rungs at or below the source's short side. A source smaller than
 *   the lowest rung gets exactly one rung at its own (even) size.
 * - Capped CRF (`-crf 23 -maxrate X -bufsize 2X`): constant quality for easy content,
 *   a hard ceiling for the peak BANDWIDTH we advertise on hard content.
 * - Level is derived from frame size, macroblock rate and the VBV cap, then passed to
 *   x264 explicitly, so CODECS is known before encoding and matches the SPS.
 * - Audio is NOT per rung: one AAC rendition (AUDIO_KBPS) is shared by every video
 *   variant through an `#EXT-X-MEDIA` group, and doubles as the audio-only variant.
 * - An optional extra ladder (HEVC or AV1, `EXTRA_CODECS`) mirrors the H.264 sizes at a
 *   lower bitrate cap; its CODECS is read back from the init segment (ffmpeg/codecs.ts).
 */
import { fpsValue, type Rational } from "./rational.ts";

export type H264Profile = "high" | "main";

export interface LadderStep {
  /** Short-side size in pixels, the "720" in "720p". */
  shortSide: number;
  /** Video bitrate cap (kbit/s) at ≤ 30 fps. */
  maxrateKbps: number;
  profile: H264Profile;
}

/** The rung table, best first. Caps follow common VOD ladders (Apple HLS authoring spec ballpark). */
export const LADDER: readonly LadderStep[] = [
  { shortSide: 1080, maxrateKbps: 5000, profile: "high" },
  { shortSide: 720, maxrateKbps: 3000, profile: "high" },
  { shortSide: 480, maxrateKbps: 1400, profile: "high" },
  // Main for the small rungs: they exist for the oldest/cheapest decoders.
  { shortSide: 360, maxrateKbps: 800, profile: "main" },
  { shortSide: 240, maxrateKbps: 400, profile: "main" },
];

/** The one AAC-LC stereo 48 kHz rendition every variant shares (and the audio-only variant). */
export const AUDIO_KBPS = 128;
export const AUDIO_RENDITION_NAME = "audio";

export const CRF = 23;
/** GOP length in seconds: keyframes every 2 s, aligned across rungs. */
export const GOP_SECONDS = 2;
/** Above 30 fps the same picture needs more bits; 1.5× is the usual allowance. */
const HIGH_FPS_BITRATE_FACTOR = 1.5;
export const MAX_FPS = 60;
const DEFAULT_FPS: Rational = { num: 30, den: 1 };

export type VideoCodecFamily = "h264" | "hevc" | "av1";
export type ExtraCodec = Exclude<VideoCodecFamily, "h264">;

export interface Rung {
  /** Rendition name and output folder, e.g. "720p" (extra ladders: "720p-av1"). */
  name: string;
  codec: VideoCodecFamily;
  width: number;
  height: number;
  maxrateKbps: number;
  bufsizeKbps: number;
  crf: number;
  /** Encoder profile: x264 "high"/"main", x265 "main"; unused for AV1 (Main, 8-bit). */
  profile: string;
  /** H.264 level as x264 takes it, e.g. "3.1"; null = the encoder picks it (HEVC, AV1). */
  level: string | null;
  /**
   * RFC 6381 video codec string: exact for H.264 (forced profile/level); for HEVC/AV1 a
   * placeholder until the init segment is read (ffmpeg/codecs.ts).
   */
  videoCodec: string;
}

export interface LadderSource {
  displayWidth: number;
  displayHeight: number;
}

/** Rounds to the nearest even number ≥ 2 (4:2:0 chroma needs even dimensions). */
export function toEven(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/** Even and never larger than `limit` (rounding must not upscale by a pixel). */
function evenWithin(n: number, limit: number): number {
  const e = toEven(n);
  return e > limit ? Math.max(2, Math.floor(limit / 2) * 2) : e;
}

/**
 * Output frame rate: the source's, normalised (VFR → its average), capped at 60 by an
 * integer divisor so motion stays regular (120 → 60, 100 → 50, 59.94 stays).
 */
export function outputFrameRate(source: Rational): Rational {
  if (source.num <= 0 || source.den <= 0) return DEFAULT_FPS;
  const fps = source.num / source.den;
  if (fps <= MAX_FPS + 0.01) return snapToStandard(reduce(source));
  const divisor = Math.ceil(fps / MAX_FPS - 0.001);
  return snapToStandard(reduce({ num: source.num, den: source.den * divisor }));
}

const STANDARD_RATES: readonly Rational[] = [
  { num: 24000, den: 1001 },
  { num: 24, den: 1 },
  { num: 25, den: 1 },
  { num: 30000, den: 1001 },
  { num: 30, den: 1 },
  { num: 48, den: 1 },
  { num: 50, den: 1 },
  { num: 60000, den: 1001 },
  { num: 60, den: 1 },
];

/**
 * Phones record variable frame rate; their *average* comes out as 29.98 or 1196/40.
 * Within 0.5 % of a broadcast rate, use that rate: players and FRAME-RATE expect it.
 */
function snapToStandard(r: Rational): Rational {
  const fps = fpsValue(r);
  let best: Rational | undefined;
  for (const std of STANDARD_RATES) {
    const d = Math.abs(fps - fpsValue(std)) / fpsValue(std);
    if (d < 0.005 && (!best || d < Math.abs(fps - fpsValue(best)) / fpsValue(best))) best = std;
  }
  return best ?? r;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function reduce(r: Rational): Rational {
  const g = gcd(r.num, r.den) || 1;
  return { num: r.num / g, den: r.den / g };
}

/** Frames per GOP (2 s worth), used for `-g` and `-keyint_min`. */
export function gopFrames(fps: Rational): number {
  return Math.max(1, Math.round(fpsValue(fps) * GOP_SECONDS));
}

// H.264 Table A-1: level, max macroblocks/s, max frame size (MBs), max bitrate (kbit/s,
// Baseline/Main; High allows 1.25×). Level 1b is skipped: nothing we emit is that small.
const LEVELS: ReadonlyArray<{ level: string; idc: number; mbps: number; fs: number; br: number }> = [
  { level: "1", idc: 10, mbps: 1485, fs: 99, br: 64 },
  { level: "1.1", idc: 11, mbps: 3000, fs: 396, br: 192 },
  { level: "1.2", idc: 12, mbps: 6000, fs: 396, br: 384 },
  { level: "1.3", idc: 13, mbps: 11880, fs: 396, br: 768 },
  { level: "2", idc: 20, mbps: 11880, fs: 396, br: 2000 },
  { level: "2.1", idc: 21, mbps: 19800, fs: 792, br: 4000 },
  { level: "2.2", idc: 22, mbps: 20250, fs: 1620, br: 4000 },
  { level: "3", idc: 30, mbps: 40500, fs: 1620, br: 10000 },
  { level: "3.1", idc: 31, mbps: 108000, fs: 3600, br: 14000 },
  { level: "3.2", idc: 32, mbps: 216000, fs: 5120, br: 20000 },
  { level: "4", idc: 40, mbps: 245760, fs: 8192, br: 20000 },
  { level: "4.1", idc: 41, mbps: 245760, fs: 8192, br: 50000 },
  { level: "4.2", idc: 42, mbps: 522240, fs: 8704, br: 50000 },
  { level: "5", idc: 50, mbps: 589824, fs: 22080, br: 135000 },
  { level: "5.1", idc: 51, mbps: 983040, fs: 36864, br: 240000 },
  { level: "5.2", idc: 52, mbps: 2073600, fs: 36864, br: 240000 },
];

/** Lowest H.264 level that fits size, rate and VBV cap. */
export function h264Level(
  width: number,
  height: number,
  fps: number,
  maxrateKbps: number,
  profile: H264Profile,
): { level: string; idc: number } {
  const mbW = Math.ceil(width / 16);
  const mbH = Math.ceil(height / 16);
  const frameMbs = mbW * mbH;
  const mbPerSec = frameMbs * fps;
  const brFactor = profile === "high" ? 1.25 : 1;
  for (const l of LEVELS) {
    // also bounds each dimension: sqrt(8 × MaxFS) macroblocks.
    const maxDim = Math.sqrt(l.fs * 8);
    if (
      frameMbs <= l.fs &&
      mbW <= maxDim &&
      mbH <= maxDim &&
      mbPerSec <= l.mbps &&
      maxrateKbps <= l.br * brFactor
    ) {
      return { level: l.level, idc: l.idc };
    }
  }
  const top = LEVELS[LEVELS.length - 1] as (typeof LEVELS)[number];
  return { level: top.level, idc: top.idc };
}

// profile_idc and the constraint-flag byte x264 writes in the SPS for each profile
// (Main sets constraint_set1 because every Main stream is also Main-compatible).
const PROFILE_BYTES: Record<H264Profile, { idc: number; constraints: number }> = {
  high: { idc: 100, constraints: 0x00 },
  main: { idc: 77, constraints: 0x40 },
};

const hex2 = (n: number) => n.toString(16).padStart(2, "0");

/** RFC 6381 `avc1.PPCCLL` from profile + level_idc. */
export function avc1Codec(profile: H264Profile, levelIdc: number): string {
  const p = PROFILE_BYTES[profile];
  return `avc1.${hex2(p.idc)}${hex2(p.constraints)}${hex2(levelIdc)}`;
}

/** AAC-LC, what ffmpeg's native `aac` encoder produces. */
export const AAC_LC_CODEC = "mp4a.40.2";

function sizeFor(source: LadderSource, shortSide: number): { width: number; height: number } {
  const { displayWidth: w, displayHeight: h } = source;
  if (w >= h) return { width: evenWithin((shortSide * w) / h, w), height: shortSide };
  return { width: shortSide, height: evenWithin((shortSide * h) / w, h) };
}

function makeRung(
  step: LadderStep,
  size: { width: number; height: number },
  name: string,
  fps: Rational,
): Rung {
  const rate = fpsValue(fps);
  const maxrateKbps = Math.round(step.maxrateKbps * (rate > 30.5 ? HIGH_FPS_BITRATE_FACTOR : 1));
  const { level, idc } = h264Level(size.width, size.height, rate, maxrateKbps, step.profile);
  return {
    name,
    codec: "h264",
    width: size.width,
    height: size.height,
    maxrateKbps,
    bufsizeKbps: maxrateKbps * 2,
    crf: CRF,
    profile: step.profile,
    level,
    videoCodec: avc1Codec(step.profile, idc),
  };
}

/** Rungs for a source, best first. Never empty. */
export function selectLadder(source: LadderSource, fps: Rational): Rung[] {
  const shortSide = Math.min(source.displayWidth, source.displayHeight);
  const steps = LADDER.filter((s) => s.shortSide <= shortSide);
  if (steps.length > 0)
    return steps.map((s) => makeRung(s, sizeFor(source, s.shortSide), `${s.shortSide}p`, fps));

  // Tiny source: one rung at its own size, with the smallest rung's caps.
  const smallest = LADDER[LADDER.length - 1] as LadderStep;
  const size = {
    width: evenWithin(source.displayWidth, Math.max(2, source.displayWidth)),
    height: evenWithin(source.displayHeight, Math.max(2, source.displayHeight)),
  };
  const name = `${Math.min(size.width, size.height)}p`;
  return [makeRung(smallest, size, name, fps)];
}

// Extra ladders: same sizes, caps scaled by the codec's usual efficiency over x264 at
// equal quality, CRF on each encoder's own scale.
const EXTRA_CODECS: Record<
  ExtraCodec,
  { bitrateFactor: number; crf: number; profile: string; placeholder: string }
> = {
  hevc: { bitrateFactor: 0.65, crf: 26, profile: "main", placeholder: "hvc1.1.6.L93.90" },
  av1: { bitrateFactor: 0.55, crf: 35, profile: "main", placeholder: "av01.0.08M.08" },
};

/** The HEVC or AV1 twin of an H.264 ladder (rung names get a `-hevc` / `-av1` suffix). */
export function extraLadder(h264: readonly Rung[], codec: ExtraCodec): Rung[] {
  const spec = EXTRA_CODECS[codec];
  return h264.map((r) => {
    const maxrateKbps = Math.round(r.maxrateKbps * spec.bitrateFactor);
    return {
      ...r,
      name: `${r.name}-${codec}`,
      codec,
      maxrateKbps,
      bufsizeKbps: maxrateKbps * 2,
      crf: spec.crf,
      profile: spec.profile,
      level: null,
      videoCodec: spec.placeholder,
    };
  });
}

/** `EXTRA_CODECS` config value ("", "av1", "hevc", "av1,hevc") → codecs, in a stable order. */
export function parseExtraCodecs(raw: string | undefined): ExtraCodec[] {
  const wanted = new Set(
    (raw ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const unknown = [...wanted].filter((c) => !(c in EXTRA_CODECS));
  if (unknown.length > 0) throw new Error(`unknown extra codec(s): ${unknown.join(", ")} (known: hevc, av1)`);
  return (Object.keys(EXTRA_CODECS) as ExtraCodec[]).filter((c) => wanted.has(c));
}
