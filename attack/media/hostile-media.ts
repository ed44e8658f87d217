/**
 * The hostile media corpus (issue 11, "the suite that keeps it closed"): uploads an
 * attacker or a careless camera produces, generated at test time with ffmpeg lavfi plus
 * byte surgery (truncation, corrupted middles, patched duration headers) into
 * `.data/attack-corpus/` — never committed binaries. Each entry says what a correct
 * transcoder does with it: transcode it (`ok`) or refuse it with a readable reason
 * (`failed`). `quick` entries form the subset that runs in `npm test`.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { FailureCode } from "@streamline/contracts";
import { runFfmpegQuiet } from "../../scripts/make-fixtures.ts";

export const CORPUS_DIR = resolve(import.meta.dirname, "..", "..", ".data", "attack-corpus");

export type Expected = "ok" | "failed";

export interface HostileMedia {
  /** Upload name; every one claims to be a video by its extension. */
  name: string;
  /** What the file is, for the outcome table. */
  what: string;
  expect: Expected;
  /** For `failed`: the vocabulary code the edge must be told (contracts/failures.ts). */
  code?: FailureCode;
  /** For `failed`: refused within this many seconds (a cap checked right after probing). */
  refusedWithinSec?: number;
  /** Part of the `npm test` subset (cheap to make and to run). */
  quick: boolean;
  /** Seconds a correct transcode plays for (the real content, whatever the header claims). */
  contentSec?: number;
  /**
   * Writes the file. `canaryUrl` is a loopback URL that must never be contacted (files
   * that point at it are regenerated per run; the others are cached).
   */
  make(ffmpeg: string, out: string, canaryUrl: string): Promise<void>;
  /** The file embeds the per-run canary URL, so it is never cached. */
  perRun?: boolean;
}

const SMALL = "320x180";
const FAST = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"];
const AAC = ["-c:a", "aac", "-b:a", "64k"];

function testsrc(size: string, rate: number, seconds: number): string[] {
  return ["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`];
}

function tone(seconds: number, frequency = 440): string[] {
  return ["-f", "lavfi", "-i", `sine=frequency=${frequency}:sample_rate=48000:duration=${seconds}`];
}

/** A small, ordinary H.264/AAC MP4 (the base most byte surgery starts from). */
function plainMp4(seconds: number, extra: string[] = []) {
  return (ffmpeg: string, out: string) =>
    runFfmpegQuiet(ffmpeg, [
      ...testsrc(SMALL, 30, seconds),
      ...tone(seconds),
      ...FAST,
      ...AAC,
      ...extra,
      "-f",
      "mp4",
      out,
    ]);
}

/** Makes `base` into a temp file, then hands its bytes to `edit` and writes the result. */
function edited(
  base: (ffmpeg: string, out: string) => Promise<void>,
  edit: (bytes: Buffer) => Buffer,
): HostileMedia["make"] {
  return async (ffmpeg, out) => {
    const tmp = `${out}.base`;
    try {
      await base(ffmpeg, tmp);
      await writeFile(out, edit(await readFile(tmp)));
    } finally {
      await rm(tmp, { force: true });
    }
  };
}

// ---- ISO BMFF surgery ---------------------------------------------------------------

const CONTAINERS = new Set(["moov", "trak", "mdia", "minf", "stbl", "edts", "mvex"]);

interface Box {
  type: string;
  start: number;
  /** First byte after the header. */
  body: number;
  end: number;
}

/** Top-level (or nested, for container types) boxes of an ISO BMFF file, depth first. */
export function walkBoxes(bytes: Buffer, from = 0, to = bytes.length, out: Box[] = []): Box[] {
  let at = from;
  while (at + 8 <= to) {
    let size = bytes.readUInt32BE(at);
    const type = bytes.toString("latin1", at + 4, at + 8);
    let header = 8;
    if (size === 1) {
      size = Number(bytes.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < header || at + size > to) break;
    const box = { type, start: at, body: at + header, end: at + size };
    out.push(box);
    if (CONTAINERS.has(type)) walkBoxes(bytes, box.body, box.end, out);
    at += size;
  }
  return out;
}

const U32_MAX = 0xffff_ffff;

/**
 * Rewrites mvhd/tkhd/mdhd/elst so the header claims `claimSec` (clamped to what a
 * 32-bit field holds at that box's timescale) while the samples stay as they are.
 */
export function claimDuration(bytes: Buffer, claimSec: number): Buffer {
  const out = Buffer.from(bytes);
  const boxes = walkBoxes(out);
  const mvhd = boxes.find((b) => b.type === "mvhd");
  if (!mvhd) throw new Error("no mvhd box");
  const v1 = (b: Box) => out[b.body] === 1;
  const writeDuration = (at: number, wide: boolean, timescale: number) => {
    const ticks = Math.floor(claimSec * timescale);
    if (wide) out.writeBigUInt64BE(BigInt(ticks), at);
    else out.writeUInt32BE(Math.min(U32_MAX, ticks), at);
  };
  const movieScale = out.readUInt32BE(mvhd.body + (v1(mvhd) ? 20 : 12));
  writeDuration(mvhd.body + (v1(mvhd) ? 24 : 16), v1(mvhd), movieScale);
  for (const b of boxes) {
    if (b.type === "tkhd") writeDuration(b.body + (v1(b) ? 28 : 20), v1(b), movieScale);
    if (b.type === "mdhd") {
      const scale = out.readUInt32BE(b.body + (v1(b) ? 20 : 12));
      writeDuration(b.body + (v1(b) ? 24 : 16), v1(b), scale);
    }
    if (b.type === "elst") {
      const count = out.readUInt32BE(b.body + 4);
      const entry = v1(b) ? 20 : 12;
      for (let i = 0; i < count; i++) writeDuration(b.body + 8 + i * entry, v1(b), movieScale);
    }
  }
  return out;
}

/** The Segment Info Duration (0x4489, 8-byte float, TimecodeScale ms) set to `claimSec`. */
export function claimMatroskaDuration(bytes: Buffer, claimSec: number): Buffer {
  const out = Buffer.from(bytes);
  const at = out.indexOf(Buffer.from([0x44, 0x89, 0x88]));
  if (at < 0) throw new Error("no 8-byte Matroska Duration element");
  out.writeDoubleBE(claimSec * 1000, at + 3);
  return out;
}

/**
 * Every per-track `DURATION` tag (`HH:MM:SS.nnnnnnnnn`, written by ffmpeg's muxer) set
 * to `claimSec` (at most 99 h: the rewrite keeps the string's length).
 */
export function claimMatroskaTrackDurations(bytes: Buffer, claimSec: number): Buffer {
  const text = bytes.toString("latin1");
  const pad = (n: number) => String(Math.floor(n)).padStart(2, "0");
  const value = `${pad(claimSec / 3600)}:${pad((claimSec % 3600) / 60)}:${pad(claimSec % 60)}.000000000`;
  let found = 0;
  const out = Buffer.from(
    text.replace(/\d\d:\d\d:\d\d\.\d{9}/g, () => {
      found++;
      return value;
    }),
    "latin1",
  );
  if (found === 0) throw new Error("no Matroska DURATION tag");
  return out;
}

/** Matroska H.264 + AAC at 320x180, `seconds` long. */
function plainMkv(seconds: number) {
  return (ffmpeg: string, out: string) =>
    runFfmpegQuiet(ffmpeg, [
      ...testsrc(SMALL, 30, seconds),
      ...tone(seconds),
      ...FAST,
      ...AAC,
      "-f",
      "matroska",
      out,
    ]);
}

/** Deterministic garbage over `length` bytes from the middle of the file. */
function corruptMiddle(bytes: Buffer, length: number): Buffer {
  const out = Buffer.from(bytes);
  const from = Math.floor(out.length / 2 - length / 2);
  let x = 0x2545f491;
  for (let i = 0; i < length && from + i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[from + i] = x & 0xff;
  }
  return out;
}

const HUNDRED_HOURS = 100 * 3600;

export const HOSTILE_MEDIA: HostileMedia[] = [
  {
    name: "zero-bytes.mp4",
    what: "an empty file",
    expect: "failed",
    code: "empty_file",
    refusedWithinSec: 5,
    quick: true,
    make: (_f, out) => writeFile(out, ""),
  },
  {
    name: "text.mp4",
    what: "plain text named .mp4",
    expect: "failed",
    code: "not_a_video",
    quick: true,
    make: (_f, out) => writeFile(out, `Definitely a video.\n${"lorem ipsum ".repeat(400)}\n`),
  },
  {
    name: "png-image.mp4",
    what: "a PNG image named .mp4",
    expect: "failed",
    code: "not_a_video",
    quick: true,
    make: (ffmpeg, out) =>
      runFfmpegQuiet(ffmpeg, [...testsrc(SMALL, 1, 1), "-frames:v", "1", "-c:v", "png", "-f", "image2", out]),
  },
  {
    name: "jpeg-image.mp4",
    what: "a JPEG image named .mp4",
    expect: "failed",
    code: "not_a_video",
    quick: false,
    make: (ffmpeg, out) =>
      runFfmpegQuiet(ffmpeg, [
        ...testsrc(SMALL, 1, 1),
        "-frames:v",
        "1",
        "-c:v",
        "mjpeg",
        "-f",
        "image2",
        out,
      ]),
  },
  {
    name: "hls-playlist.mp4",
    what: "an HLS playlist naming a loopback canary",
    expect: "failed",
    code: "unsupported_format",
    quick: true,
    perRun: true,
    make: (_f, out, canary) =>
      writeFile(
        out,
        `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${canary}/seg0.ts\n#EXT-X-ENDLIST\n`,
      ),
  },
  {
    name: "truncated.mp4",
    what: "moov-at-end MP4 cut in half (no index)",
    expect: "failed",
    code: "corrupt_file",
    quick: true,
    make: edited(plainMp4(2), (b) => b.subarray(0, Math.floor(b.length / 2))),
  },
  {
    name: "truncated-faststart.mp4",
    what: "faststart MP4 cut at 60% (index promises missing samples)",
    expect: "ok",
    quick: false,
    make: edited(plainMp4(3, ["-movflags", "+faststart"]), (b) => b.subarray(0, Math.floor(b.length * 0.6))),
  },
  {
    name: "moov-at-end.mp4",
    contentSec: 2,
    what: "ordinary camera MP4, moov after mdat (no faststart)",
    expect: "ok",
    quick: true,
    make: plainMp4(2),
  },
  {
    name: "corrupt-middle.mp4",
    contentSec: 3,
    what: "4 KiB of garbage over the middle of mdat",
    expect: "ok",
    quick: false,
    make: edited(plainMp4(3, ["-movflags", "+faststart"]), (b) => corruptMiddle(b, 4096)),
  },
  {
    name: "claims-100h.mp4",
    contentSec: 2,
    what: "2 s of content, mvhd/tkhd/mdhd/elst claim 100 h",
    expect: "ok",
    quick: true,
    make: edited(plainMp4(2, ["-movflags", "+faststart"]), (b) => claimDuration(b, HUNDRED_HOURS)),
  },
  {
    name: "claims-100h.mkv",
    contentSec: 2,
    what: "2 s of content, Matroska Duration claims 100 h",
    expect: "ok",
    quick: false,
    make: edited(
      (ffmpeg, out) =>
        runFfmpegQuiet(ffmpeg, [
          ...testsrc(SMALL, 30, 2),
          ...tone(2),
          ...FAST,
          ...AAC,
          "-f",
          "matroska",
          out,
        ]),
      (b) => claimMatroskaDuration(b, HUNDRED_HOURS),
    ),
  },
  {
    name: "claims-99h-everywhere.mkv",
    contentSec: 2,
    what: "2 s of content, Segment Duration and every track DURATION tag claim 99 h",
    expect: "ok",
    quick: true,
    make: edited(plainMkv(2), (b) =>
      claimMatroskaTrackDurations(claimMatroskaDuration(b, 99 * 3600), 99 * 3600),
    ),
  },
  {
    name: "claims-1s-holds-4s.mkv",
    contentSec: 4,
    what: "4 s of content, every duration field claims 1 s",
    expect: "ok",
    quick: true,
    make: edited(plainMkv(4), (b) => claimMatroskaTrackDurations(claimMatroskaDuration(b, 1), 1)),
  },
  {
    name: "fragmented.mp4",
    contentSec: 2,
    what: "fragmented MP4 (empty moov + moof/mdat)",
    expect: "ok",
    quick: false,
    make: plainMp4(2, ["-movflags", "frag_keyframe+empty_moov+default_base_moof"]),
  },
  {
    name: "matroska.mkv",
    contentSec: 2,
    what: "Matroska, H.264 + AAC",
    expect: "ok",
    quick: false,
    make: (ffmpeg, out) =>
      runFfmpegQuiet(ffmpeg, [...testsrc(SMALL, 30, 2), ...tone(2), ...FAST, ...AAC, "-f", "matroska", out]),
  },
  {
    name: "webm.webm",
    contentSec: 2,
    what: "WebM, VP8 + Vorbis",
    expect: "ok",
    quick: false,
    make: (ffmpeg, out) =>
      // biome-ignore format: flag/value pairs
      runFfmpegQuiet(ffmpeg, [
        ...testsrc(SMALL, 30, 2), ...tone(2),
        "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k",
        "-c:a", "libvorbis", "-f", "webm", out,
      ]),
  },
  {
    name: "quicktime.mov",
    contentSec: 2,
    what: "QuickTime MOV, H.264 + AAC",
    expect: "ok",
    quick: false,
    make: (ffmpeg, out) =>
      runFfmpegQuiet(ffmpeg, [...testsrc(SMALL, 30, 2), ...tone(2), ...FAST, ...AAC, "-f", "mov", out]),
  },
  {
    name: "three-audio-tracks.mp4",
    contentSec: 2,
    what: "one video + three audio tracks (eng/fra/deu)",
    expect: "ok",
    quick: false,
    make: (ffmpeg, out) =>
      // biome-ignore format: flag/value pairs
      runFfmpegQuiet(ffmpeg, [
        ...testsrc(SMALL, 30, 2), ...tone(2, 440), ...tone(2, 660), ...tone(2, 880),
        "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:a",
        ...FAST, ...AAC,
        "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra", "-metadata:s:a:2", "language=deu",
        "-f", "mp4", out,
      ]),
  },
  {
    name: "60fps.mp4",
    contentSec: 2,
    what: "60 fps",
    expect: "ok",
    quick: false,
    make: (ffmpeg, out) =>
      runFfmpegQuiet(ffmpeg, [...testsrc(SMALL, 60, 2), ...tone(2), ...FAST, ...AAC, "-f", "mp4", out]),
  },
  {
    name: "interlaced.mp4",
    contentSec: 2,
    what: "interlaced H.264 (+ilme+ildct, top field first)",
    expect: "ok",
    quick: false,
    make: (ffmpeg, out) =>
      // biome-ignore format: flag/value pairs
      runFfmpegQuiet(ffmpeg, [
        ...testsrc("640x360", 30, 2), ...tone(2),
        ...FAST, "-flags", "+ilme+ildct", "-top", "1", ...AAC, "-f", "mp4", out,
      ]),
  },
  {
    name: "audio-only.mp4",
    what: "AAC audio, no video stream",
    expect: "failed",
    code: "not_a_video",
    quick: true,
    make: (ffmpeg, out) => runFfmpegQuiet(ffmpeg, [...tone(2), ...AAC, "-f", "mp4", out]),
  },
  {
    name: "no-audio.mp4",
    contentSec: 2,
    what: "video only",
    expect: "ok",
    quick: false,
    make: (ffmpeg, out) => runFfmpegQuiet(ffmpeg, [...testsrc(SMALL, 30, 2), ...FAST, "-f", "mp4", out]),
  },
  {
    name: "8k.mp4",
    what: "7680x4320, 0.4 s at 5 fps, ~100 kbit/s",
    expect: "ok",
    quick: false,
    make: (ffmpeg, out) =>
      // biome-ignore format: flag/value pairs
      runFfmpegQuiet(ffmpeg, [
        "-f", "lavfi", "-i", "color=c=0x3060a0:size=7680x4320:rate=5:duration=0.4",
        ...FAST, "-b:v", "100k", "-f", "mp4", out,
      ]),
  },
  {
    name: "over-8k.mp4",
    what: "8192x4608 (over the 8K pixel count), 2 frames",
    expect: "failed",
    code: "resolution_too_high",
    refusedWithinSec: 10,
    quick: true,
    make: (ffmpeg, out) =>
      // biome-ignore format: flag/value pairs
      runFfmpegQuiet(ffmpeg, [
        "-f", "lavfi", "-i", "color=c=0x306040:size=8192x4608:rate=2:duration=1",
        ...FAST, "-b:v", "100k", "-f", "mp4", out,
      ]),
  },
  {
    name: "1000fps.mp4",
    what: "1000 fps (2,000 frames in 2 s, 64x64)",
    expect: "failed",
    code: "frame_rate_too_high",
    refusedWithinSec: 10,
    quick: true,
    make: (ffmpeg, out) => runFfmpegQuiet(ffmpeg, [...testsrc("64x64", 1000, 2), ...FAST, "-f", "mp4", out]),
  },
  {
    name: "duration-bomb-26h.mkv",
    what: "26 real hours of 64x64 black at 1 fps (~1 h encoded once, stream-copied 26 times)",
    expect: "failed",
    code: "too_long",
    refusedWithinSec: 10,
    quick: true,
    make: async (ffmpeg, out) => {
      const hour = `${out}.hour.mkv`;
      const list = `${out}.list.txt`;
      try {
        // biome-ignore format: flag/value pairs
        await runFfmpegQuiet(ffmpeg, [
          "-f", "lavfi", "-i", "color=c=black:size=64x64:rate=1:duration=3600",
          ...FAST, "-g", "60", "-f", "matroska", hour,
        ]);
        await writeFile(list, `file '${hour}'\n`.repeat(26));
        // biome-ignore format: flag/value pairs
        await runFfmpegQuiet(ffmpeg, ["-f", "concat", "-safe", "0", "-i", list, "-c", "copy", "-f", "matroska", out]);
      } finally {
        await rm(hour, { force: true });
        await rm(list, { force: true });
      }
    },
  },
];

async function nonEmpty(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0;
  } catch {
    return false;
  }
}

/**
 * Makes (or reuses) each entry's file; returns name → path. Files with the canary URL are
 * rewritten every call; the zero-byte file is always rewritten (it is "empty" on purpose).
 */
export async function ensureCorpus(
  ffmpeg: string,
  entries: readonly HostileMedia[],
  canaryUrl: string,
): Promise<Map<string, string>> {
  await mkdir(CORPUS_DIR, { recursive: true });
  const made = new Map<string, string>();
  // Sequential: the machine is shared, and the 8K encode alone wants both cores.
  for (const entry of entries) {
    const out = join(CORPUS_DIR, entry.name);
    if (entry.perRun || entry.name === "zero-bytes.mp4" || !(await nonEmpty(out))) {
      const tmp = join(CORPUS_DIR, `.${entry.name}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
      try {
        await entry.make(ffmpeg, tmp, canaryUrl);
        await rename(tmp, out);
      } finally {
        await rm(tmp, { force: true });
      }
    }
    made.set(entry.name, out);
  }
  return made;
}
