/**
 * Test/bench media, generated with ffmpeg lavfi (testsrc2 + sine) into `.data/fixtures/`
 * instead of committing binaries. Idempotent: a fixture that exists and is non-empty is
 * kept. Writes go to a temp name then rename, so parallel test files can call
 * `ensureFixtures` at the same time safely.
 *
 *   node scripts/make-fixtures.ts            # all fixtures
 *   node scripts/make-fixtures.ts a.mp4 b.mp4
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { locateFfmpeg } from "../transcoder/src/ffmpeg/locate.ts";

export const FIXTURES_DIR = resolve(import.meta.dirname, "..", ".data", "fixtures");

type Recipe = (ffmpeg: string, out: string) => Promise<void>;

// Fast encodes: the content is synthetic, only structure matters (size, rate, audio, rotation).
const FAST = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"];
const AAC = ["-c:a", "aac", "-b:a", "96k"];

function lavfi(size: string, rate: number, seconds: number, audio: boolean): string[] {
  const video = ["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`];
  const sound = ["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${seconds}`];
  return audio ? [...video, ...sound] : video;
}

/** Runs ffmpeg quietly; rejects with the tail of stderr. Shared with the attack corpus generator. */
export function runFfmpegQuiet(bin: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", ...args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c: string) => {
      stderr = (stderr + c).slice(-4000);
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`ffmpeg exited ${code}: ${stderr.trim()}`)),
    );
  });
}

/**
 * Benchmark source shaped like a phone recording (H.264 High, CABAC, deblocking,
 * ~16 Mbit/s, 1080p30 + AAC) so decoding it costs what a real upload costs. An
 * ultrafast encode (CAVLC, no deblocking) decodes about twice as cheaply and would
 * understate what decode-once saves.
 */
function phoneLike(seconds: number): Recipe {
  return (ffmpeg, out) =>
    // biome-ignore format: flag/value pairs
    runFfmpegQuiet(ffmpeg, [
      ...lavfi("1920x1080", 30, seconds, true),
      "-c:v", "libx264", "-preset", "superfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
      "-b:v", "16M", "-maxrate", "16M", "-bufsize", "32M",
      ...AAC,
      "-movflags", "+faststart",
      "-f", "mp4", out,
    ]);
}

const encode =
  (size: string, rate: number, seconds: number, audio: boolean, extra: string[] = []): Recipe =>
  (ffmpeg, out) =>
    runFfmpegQuiet(ffmpeg, [
      ...lavfi(size, rate, seconds, audio),
      ...FAST,
      ...(audio ? AAC : []),
      ...extra,
      "-f",
      "mp4",
      out,
    ]);

export const FIXTURES = {
  /** The e2e/upload source: 10 s 720p30 with a 440 Hz tone. */
  "landscape-720p-10s.mp4": encode("1280x720", 30, 10, true, ["-movflags", "+faststart"]),
  /** Benchmark source (phone-like, see phoneLike). */
  "landscape-1080p-30s.mp4": phoneLike(30),
  /** Bench sources for time-to-first-playable on long uploads (the 10 min one is ~1.2 GB). */
  "landscape-1080p-2m.mp4": phoneLike(120),
  "landscape-1080p-10m.mp4": phoneLike(600),
  /** Transcoder throughput (`npm run bench:load`, section transcode): a mix of short and longer 480p jobs. */
  "sd-854x480-30s.mp4": encode("854x480", 30, 30, true),
  "sd-854x480-2m.mp4": encode("854x480", 30, 120, true),
  /** The test suite's 1080p: every rung, long enough (3 segments) to be progressive. */
  "landscape-1080p-6s.mp4": encode("1920x1080", 30, 6, true),
  /** A 480p (FWVGA) source: 480/360/240 only. */
  "sd-854x480-4s.mp4": encode("854x480", 30, 4, true),
  /** A whole video shorter than one segment's worth of publishing threshold. */
  "clip-640x360-2s.mp4": encode("640x360", 30, 2, true),
  /** Long enough (5 segments) that a live player's default start (3 segments from the end) is not 0. */
  "small-426x240-20s.mp4": encode("426x240", 30, 20, true),
  /** e2e/views: long enough to watch 40 s (30 s counts a view) and still have a resume point. */
  "small-426x240-75s.mp4": encode("426x240", 24, 75, true),
  "portrait-720x1280-4s.mp4": encode("720x1280", 30, 4, true),
  "noaudio-640x360-4s.mp4": encode("640x360", 30, 4, false),
  /** 10-bit 4:2:0 at 25 fps: must come out 8-bit (format=yuv420p) for every player. */
  "tenbit-640x360-2s.mp4": (ffmpeg, out) =>
    runFfmpegQuiet(ffmpeg, [
      ...lavfi("640x360", 25, 2, false),
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-pix_fmt",
      "yuv420p10le",
      "-f",
      "mp4",
      out,
    ]),
  /**
   * Phone-style rotation: stored 640x360, displayed 360x640. ffmpeg 5.1 has no
   * `-display_rotation` and drops `rotate` metadata when encoding, but a stream copy
   * turns `-metadata:s:v:0 rotate=90` into a real display matrix.
   */
  "rotated-90-4s.mp4": async (ffmpeg, out) => {
    const plain = `${out}.plain.mp4`;
    try {
      await encode("640x360", 30, 4, true)(ffmpeg, plain);
      await runFfmpegQuiet(ffmpeg, [
        "-i",
        plain,
        "-map",
        "0",
        "-c",
        "copy",
        "-metadata:s:v:0",
        "rotate=90",
        "-f",
        "mp4",
        out,
      ]);
    } finally {
      await rm(plain, { force: true });
    }
  },
  /**
   * HDR10-style: 10-bit HEVC tagged BT.2020 + PQ (SMPTE 2084). Must come out SDR BT.709
   * 8-bit H.264 (zscale + tonemap).
   */
  "hdr10-hevc-640x360-2s.mp4": (ffmpeg, out) =>
    // biome-ignore format: flag/value pairs
    runFfmpegQuiet(ffmpeg, [
      ...lavfi("640x360", 25, 2, false),
      "-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le",
      "-x265-params", "colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:log-level=error",
      "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc",
      "-tag:v", "hvc1",
      "-f", "mp4", out,
    ]),
  /**
   * Variable frame rate like a phone: 30 fps with every other frame missing between 2 s
   * and 2.5 s (avg 28 fps, r_frame_rate 30), so frame durations differ.
   */
  "vfr-640x360-4s.mp4": (ffmpeg, out) =>
    // biome-ignore format: flag/value pairs
    runFfmpegQuiet(ffmpeg, [
      ...lavfi("640x360", 30, 4, true),
      "-vf", "select='not(between(t\\,2\\,2.5)*mod(n\\,2))'",
      "-fps_mode", "vfr", "-video_track_timescale", "90000",
      ...FAST, ...AAC,
      "-f", "mp4", out,
    ]),
  /**
   * Two audio tracks, the SECOND marked default (a dub + the original): the default one
   * (880 Hz) must be picked, not the first (440 Hz).
   */
  "multiaudio-640x360-2s.mp4": (ffmpeg, out) =>
    // biome-ignore format: flag/value pairs
    runFfmpegQuiet(ffmpeg, [
      ...lavfi("640x360", 30, 2, true),
      "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=48000:duration=2",
      "-map", "0:v", "-map", "1:a", "-map", "2:a",
      ...FAST, ...AAC,
      "-disposition:a:0", "0", "-disposition:a:1", "default",
      "-f", "mp4", out,
    ]),
  /** Poster job inputs: a PNG with transparency, a JPEG, a WebP (larger than 1280 wide). */
  "poster-1600x900-alpha.png": (ffmpeg, out) =>
    // biome-ignore format: flag/value pairs
    runFfmpegQuiet(ffmpeg, [
      "-f", "lavfi", "-i", "testsrc2=size=1600x900:rate=1:duration=1",
      "-vf", "format=rgba,colorchannelmixer=aa=0.5",
      "-frames:v", "1", "-f", "image2", "-c:v", "png", out,
    ]),
  "poster-1920x1080.jpg": (ffmpeg, out) =>
    // biome-ignore format: flag/value pairs
    runFfmpegQuiet(ffmpeg, [
      "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=1:duration=1",
      "-frames:v", "1", "-f", "image2", "-c:v", "mjpeg", "-q:v", "3", out,
    ]),
  "poster-800x1200.webp": (ffmpeg, out) =>
    // biome-ignore format: flag/value pairs
    runFfmpegQuiet(ffmpeg, [
      "-f", "lavfi", "-i", "testsrc2=size=800x1200:rate=1:duration=1",
      "-frames:v", "1", "-c:v", "libwebp", "-f", "webp", out,
    ]),
  /** Plain text with a video extension. */
  "not-a-video.mp4": async (_ffmpeg, out) => {
    await writeFile(out, `This is not a video.\n${randomBytes(2048).toString("base64")}\n`);
  },
  /** A real MP4 (moov at the end, as cameras write it) cut in half: the index is gone. */
  "corrupt-truncated.mp4": async (ffmpeg, out) => {
    const whole = `${out}.whole.mp4`;
    try {
      await encode("640x360", 30, 4, true)(ffmpeg, whole);
      const size = (await stat(whole)).size;
      const src = await open(whole, "r");
      const half = Buffer.alloc(Math.floor(size / 2));
      await src.read(half, 0, half.length, 0);
      await src.close();
      await writeFile(out, half);
    } finally {
      await rm(whole, { force: true });
    }
  },
} satisfies Record<string, Recipe>;

export type FixtureName = keyof typeof FIXTURES;

/** Long phone-like sources for the benchmarks: minutes to generate, never part of `npm test`. */
export const BENCH_FIXTURES = [
  "landscape-1080p-30s.mp4",
  "landscape-1080p-2m.mp4",
  "landscape-1080p-10m.mp4",
  "sd-854x480-30s.mp4",
  "sd-854x480-2m.mp4",
] as const satisfies readonly FixtureName[];

/** Everything but the slow bench sources: what the test suites need. */
export const TEST_FIXTURES: FixtureName[] = (Object.keys(FIXTURES) as FixtureName[]).filter(
  (n) => !(BENCH_FIXTURES as readonly string[]).includes(n),
);

const inFlight = new Map<FixtureName, Promise<string>>();

async function nonEmpty(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0;
  } catch {
    return false;
  }
}

async function ensureOne(name: FixtureName, ffmpeg: string): Promise<string> {
  const out = join(FIXTURES_DIR, name);
  if (await nonEmpty(out)) return out;
  const tmp = join(FIXTURES_DIR, `.${name}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await FIXTURES[name](ffmpeg, tmp);
    await rename(tmp, out);
  } finally {
    await rm(tmp, { force: true });
  }
  return out;
}

/** Generates the named fixtures (default: all) if missing; returns name → absolute path. */
export async function ensureFixtures<N extends FixtureName>(
  names: readonly N[] = Object.keys(FIXTURES) as N[],
): Promise<Record<N, string>> {
  await mkdir(FIXTURES_DIR, { recursive: true });
  const { ffmpeg } = await locateFfmpeg();
  const entries = await Promise.all(
    names.map(async (name) => {
      let p = inFlight.get(name);
      if (!p) {
        p = ensureOne(name, ffmpeg);
        inFlight.set(name, p);
        p.catch(() => inFlight.delete(name));
      }
      return [name, await p] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<N, string>;
}

if (import.meta.main) {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((n) => !(n in FIXTURES));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown fixture(s): ${unknown.join(", ")}\nknown: ${Object.keys(FIXTURES).join(", ")}\n`,
    );
    process.exit(2);
  }
  const started = Date.now();
  const made = await ensureFixtures(requested.length > 0 ? (requested as FixtureName[]) : undefined);
  for (const [name, path] of Object.entries(made)) process.stdout.write(`${name}\t${path}\n`);
  process.stdout.write(`fixtures ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
