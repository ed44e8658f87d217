/**
 * The poster at several widths (ADR 0033): WebP copies 320, 640 and 1280 px wide — never wider
 * than the poster itself, which adds its own width when narrower than 1280 — for the site's
 * `srcset`, so a phone's grid card fetches a 3 KB picture instead of the 54 KB 1280 px JPEG.
 * Made from the finished JPEG poster (already oriented, scaled to ≤ 1280 px and flattened onto
 * black) in one ffmpeg call: decode once, `split`, one scaled output per width.
 */
import { toEven } from "../ladder.ts";
import { untrustedImageArgs } from "./input-policy.ts";
import { type RunOptions, runFfmpeg } from "./run.ts";

/** The widths the site's cards and watch page choose from (`srcset` descriptors). */
export const POSTER_SIZE_WIDTHS = [320, 640, 1280] as const;
const WIDEST = 1280;

export interface PosterSize {
  width: number;
  height: number;
}

/** The sizes to render for a `width`×`height` poster, narrowest first, never upscaled. Pure. */
export function posterSizesFor(width: number, height: number): PosterSize[] {
  if (width <= 0 || height <= 0) return [];
  const own = toEven(width);
  const widths: number[] = POSTER_SIZE_WIDTHS.filter((w) => w <= own);
  if (own < WIDEST && !widths.includes(own)) widths.push(own);
  return widths.map((w) => ({ width: w, height: toEven((w * height) / width) }));
}

export interface PosterSizeOutput extends PosterSize {
  file: string;
}

export function buildPosterSizesArgs(input: string, outputs: PosterSizeOutput[]): string[] {
  const labels = outputs.map((_, i) => `[s${i}]`).join("");
  const scales = outputs.map(
    (o, i) => `[s${i}]scale=w=${o.width}:h=${o.height}:flags=lanczos,setsar=1[o${i}]`,
  );
  const graph = [`[0:v:0]split=${outputs.length}${labels}`, ...scales].join(";");
  // biome-ignore format: one flag/value pair per output
  return [
    "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
    // Our own JPEG, but read as strictly as an upload: only the JPEG demuxer (a `.jpg` name would pick image2).
    "-f", "jpeg_pipe", ...untrustedImageArgs(input), "-i", input,
    "-filter_complex", graph,
    ...outputs.flatMap((o, i) => [
      "-map", `[o${i}]`, "-frames:v", "1", "-c:v", "libwebp", "-quality", "80", "-preset", "picture", "-update", "1", o.file,
    ]),
  ];
}

/** The JPEG poster's size (ffprobe, JPEG demuxer only). */
export async function jpegSize(
  ffprobe: string,
  file: string,
  limits: Pick<RunOptions, "signal" | "nice" | "memoryBytes"> = {},
): Promise<PosterSize> {
  // biome-ignore format: one flag/value pair per line
  const args = [
    "-v", "error", "-f", "jpeg_pipe", ...untrustedImageArgs(file),
    "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "json", file,
  ];
  const { stdout } = await runFfmpeg(ffprobe, args, { timeoutMs: 30_000, ...limits, captureStdout: true });
  const stream = (JSON.parse(stdout) as { streams?: { width?: number; height?: number }[] }).streams?.[0];
  if (!stream?.width || !stream.height) throw new Error("poster JPEG has no picture size");
  return { width: stream.width, height: stream.height };
}

/** Render `outputs` from the JPEG poster `input` (one ffmpeg run). */
export async function makePosterSizes(
  ffmpeg: string,
  input: string,
  outputs: PosterSizeOutput[],
  limits: Pick<RunOptions, "signal" | "nice" | "memoryBytes"> = {},
): Promise<void> {
  if (!outputs.length) return;
  await runFfmpeg(ffmpeg, buildPosterSizesArgs(input, outputs), { timeoutMs: 60_000, ...limits });
}
