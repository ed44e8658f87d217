/**
 * Trick-play thumbnails for scrubbing: sprite sheets of 10×10 tiles, 160 px wide, one
 * thumbnail every 2–5 s (by duration), plus `thumbnails.vtt` whose cues point into them
 * with media fragments (`sprite-1.jpg#xywh=160,0,160,90`), the format video.js, Vidstack,
 * Plyr, JW Player and Shaka read.
 *
 * Made from the LOWEST rung we already encoded, decoding keyframes only
 * (`-skip_frame nokey`): its IDR frames sit on our 2 s grid, so every thumbnail time is a
 * keyframe and the decoder skips everything else (bench/RESULTS.md compares this with
 * decoding the source).
 */
import { createReadStream, createWriteStream } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { runFfmpeg } from "./ffmpeg/run.ts";
import { GOP_SECONDS, toEven } from "./ladder.ts";

export const TILE_WIDTH = 160;
export const SPRITE_COLUMNS = 10;
export const SPRITE_ROWS = 10;
export const THUMBNAILS_VTT = "thumbnails.vtt";
export const TRICKPLAY_DIR = "trickplay";

/** One thumbnail per 2 s up to 10 min, 4 s up to 30 min, 5 s beyond (≤ ~8 sheets per hour). */
export function trickplayInterval(durationSec: number): number {
  if (durationSec <= 600) return GOP_SECONDS;
  if (durationSec <= 1800) return 2 * GOP_SECONDS;
  return 5;
}

export function tileSize(width: number, height: number): { width: number; height: number } {
  return { width: TILE_WIDTH, height: toEven((TILE_WIDTH * height) / Math.max(1, width)) };
}

export interface TrickplayArgsInput {
  input: string;
  /** Output pattern for sheets, e.g. `/tmp/x/sprite-%d.jpg`. */
  spritePattern: string;
  intervalSec: number;
  tile: { width: number; height: number };
  /** Decode keyframes only (input = our low rung, keyframes on the thumbnail grid). */
  keyframesOnly: boolean;
  threads?: number | undefined;
}

/**
 * One command, two outputs: the tiled JPEG sheets, and a `framecrc` line per thumbnail on
 * stdout — the exact thumbnail count, which the tile filter's sheets do not tell.
 */
export function buildTrickplayArgs(i: TrickplayArgsInput): string[] {
  // Keyframes only: take the first keyframe at or after each interval mark. Full decode
  // (bench baseline from the source): sample with fps.
  const pick = i.keyframesOnly ? `select='gte(t\\,selected_n*${i.intervalSec})'` : `fps=1/${i.intervalSec}`;
  const graph =
    `[0:v:0]${pick},scale=w=${i.tile.width}:h=${i.tile.height},setsar=1,split=2[t][c];` +
    `[t]tile=${SPRITE_COLUMNS}x${SPRITE_ROWS}[sheets]`;
  // biome-ignore format: one flag/value pair per line
  return [
    "-hide_banner", "-nostdin", "-y",
    "-loglevel", "error",
    ...(i.threads ? ["-threads", String(i.threads)] : []),
    ...(i.keyframesOnly ? ["-skip_frame", "nokey"] : []),
    "-i", i.input,
    "-filter_complex", graph,
    "-map", "[sheets]", "-fps_mode", "vfr", "-q:v", "5", "-start_number", "1", i.spritePattern,
    "-map", "[c]", "-fps_mode", "vfr", "-f", "framecrc", "pipe:1",
  ];
}

export interface ThumbnailsVttInput {
  count: number;
  intervalSec: number;
  durationSec: number;
  tile: { width: number; height: number };
  /** Sheet file name by 1-based index, relative to the VTT. */
  spriteName: (sheet: number) => string;
}

function vttTime(sec: number): string {
  const ms = Math.max(0, Math.round(sec * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** WebVTT with one cue per thumbnail: `[k·interval, (k+1)·interval)`, the last one to the end. */
export function writeThumbnailsVtt(v: ThumbnailsVttInput): string {
  const perSheet = SPRITE_COLUMNS * SPRITE_ROWS;
  const lines = ["WEBVTT", ""];
  for (let k = 0; k < v.count; k++) {
    const start = k * v.intervalSec;
    const end = k === v.count - 1 ? Math.max(v.durationSec, start + 0.001) : (k + 1) * v.intervalSec;
    const inSheet = k % perSheet;
    const x = (inSheet % SPRITE_COLUMNS) * v.tile.width;
    const y = Math.floor(inSheet / SPRITE_COLUMNS) * v.tile.height;
    const sheet = Math.floor(k / perSheet) + 1;
    lines.push(
      `${vttTime(start)} --> ${vttTime(end)}`,
      `${v.spriteName(sheet)}#xywh=${x},${y},${v.tile.width},${v.tile.height}`,
      "",
    );
  }
  return lines.join("\n");
}

export interface TrickplayResult {
  dir: string;
  vttFile: string;
  /** Sheet files, in order (sprite-1.jpg, sprite-2.jpg, …). */
  spriteFiles: string[];
  intervalSec: number;
  count: number;
}

export interface MakeTrickplayInput {
  ffmpeg: string;
  /** Source for the thumbnails: a playable file (low rung init + segments concatenated) or the source. */
  input: string;
  keyframesOnly: boolean;
  outDir: string;
  durationSec: number;
  /** Picture size of the input (display orientation). */
  width: number;
  height: number;
  threads?: number | undefined;
  nice?: number | undefined;
  memoryBytes?: number | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

export async function makeTrickplay(m: MakeTrickplayInput): Promise<TrickplayResult> {
  const intervalSec = trickplayInterval(m.durationSec);
  const tile = tileSize(m.width, m.height);
  const { stdout } = await runFfmpeg(
    m.ffmpeg,
    buildTrickplayArgs({
      input: m.input,
      spritePattern: join(m.outDir, "sprite-%d.jpg"),
      intervalSec,
      tile,
      keyframesOnly: m.keyframesOnly,
      threads: m.threads,
    }),
    {
      captureStdout: true,
      timeoutMs: m.timeoutMs ?? 120_000,
      nice: m.nice,
      memoryBytes: m.memoryBytes,
      ...(m.signal ? { signal: m.signal } : {}),
    },
  );
  // framecrc: "#…" header lines, then one "stream, dts, pts, duration, size, crc" line per frame.
  const count = stdout.split("\n").filter((l) => /^\s*\d+,/.test(l)).length;
  if (count === 0) throw new Error("trick-play: no thumbnail could be decoded");
  const sheets = (await readdir(m.outDir))
    .map((f) => /^sprite-(\d+)\.jpg$/.exec(f))
    .filter((x): x is RegExpExecArray => x !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((x) => x[0]);
  const expected = Math.ceil(count / (SPRITE_COLUMNS * SPRITE_ROWS));
  if (sheets.length !== expected) {
    throw new Error(
      `trick-play: expected ${expected} sprite sheets for ${count} thumbnails, got ${sheets.length}`,
    );
  }
  const vttFile = join(m.outDir, THUMBNAILS_VTT);
  await writeFile(
    vttFile,
    writeThumbnailsVtt({
      count,
      intervalSec,
      durationSec: m.durationSec,
      tile,
      spriteName: (n) => `sprite-${n}.jpg`,
    }),
  );
  return { dir: m.outDir, vttFile, spriteFiles: sheets.map((f) => join(m.outDir, f)), intervalSec, count };
}

/** init + media segments → one fragmented MP4 any demuxer reads (the low rung as a file). */
export async function concatFragments(files: readonly string[], out: string): Promise<void> {
  async function* chunks() {
    for (const f of files) yield* createReadStream(f);
  }
  await pipeline(chunks, createWriteStream(out));
}
