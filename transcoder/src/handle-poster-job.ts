/**
 * The `poster` job: an owner-uploaded JPEG/PNG/WebP becomes `poster-<attemptId>.jpg` and
 * `.webp` (at most 1280 px wide, never upscaled, transparency flattened onto black) under
 * the video's prefix, plus WebP copies at the narrower `srcset` widths (`-320.webp`, `-640.webp`,
 * ADR 0033), reported as a `poster` event. A new key per job, so caches and
 * players never mix an old poster with a new one (jpg/webp objects are cacheable for 1 h).
 *
 * Input that is not one of those images fails with `retryable: false` and a reason the
 * owner can read. Like handleJob: never throws, temp dir always removed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { PosterJobV1, PosterSizeKey } from "@streamline/contracts";
import { z } from "zod";
import type { PosterReporter } from "./events.ts";
import { untrustedImageArgs, untrustedInputArgs } from "./ffmpeg/input-policy.ts";
import type { FfmpegBinaries } from "./ffmpeg/locate.ts";
import {
  makePosterSizes,
  type PosterSize,
  type PosterSizeOutput,
  posterSizesFor,
} from "./ffmpeg/poster-sizes.ts";
import { FfmpegError, type RunOptions, runFfmpeg } from "./ffmpeg/run.ts";
import { toEven } from "./ladder.ts";
import { errorMessage, log } from "./log.ts";
import { JobFailure, ownerDetail } from "./pipeline/failure.ts";
import type { ResourceLimits } from "./resources.ts";
import { type ObjectStorage, SourceMissingError } from "./storage.ts";

export const POSTER_JOB_MAX_WIDTH = 1280;
/** Decompression-bomb guard: a 10 MiB PNG can still claim 50 000 × 50 000 pixels. */
const MAX_PIXELS = 64 * 1024 * 1024;

export interface HandlePosterDeps {
  storage: ObjectStorage;
  reporter: PosterReporter;
  ffmpeg: FfmpegBinaries;
  workDir: string;
  limits?: ResourceLimits;
  signal?: AbortSignal;
}

export type PosterOutcome =
  | { status: "done"; posterKey: string; posterWebpKey: string | null; posterSizes: PosterSizeKey[] }
  | { status: "failed"; reason: string; retryable: boolean };

const IMAGE_CODECS: Record<string, string> = { mjpeg: "JPEG", png: "PNG", webp: "WebP" };
const IMAGE_DEMUXERS = /^(image2|jpeg_pipe|png_pipe|webp_pipe)$/;

const ImageProbe = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        width: z.number().optional(),
        height: z.number().optional(),
        pix_fmt: z.string().optional(),
      }),
    )
    .default([]),
  format: z.object({ format_name: z.string().optional() }).optional(),
});

export interface ImageInfo {
  width: number;
  height: number;
  hasAlpha: boolean;
}

/** ffprobe JSON → the picture, or a reason the owner can act on. Pure. `what`: the image's role in messages. */
export function interpretImageProbe(json: unknown, what = "poster"): ImageInfo {
  const parsed = ImageProbe.safeParse(json);
  const notImage = `not a usable ${what}: expected a JPEG, PNG or WebP image`;
  if (!parsed.success) throw new JobFailure(notImage, false);
  const format = parsed.data.format?.format_name ?? "";
  const video = parsed.data.streams.find((s) => s.codec_type === "video");
  const kind = video?.codec_name ? IMAGE_CODECS[video.codec_name] : undefined;
  if (!video || !kind || !IMAGE_DEMUXERS.test(format)) {
    const found = video?.codec_name
      ? ` (found ${video.codec_name} in ${format || "an unknown container"})`
      : "";
    throw new JobFailure(`${notImage}${found}`, false);
  }
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (width <= 0 || height <= 0)
    throw new JobFailure(`not a usable ${what}: the ${kind} has no picture size`, false);
  if (width * height > MAX_PIXELS) {
    throw new JobFailure(
      `not a usable ${what}: ${width}×${height} is too large (max ${MAX_PIXELS / 1024 / 1024} MP)`,
      false,
    );
  }
  const hasAlpha = /^(rgba|bgra|argb|abgr|ya|yuva|gbrap|pal8)/.test(video.pix_fmt ?? "");
  return { width, height, hasAlpha };
}

/** Output size: ≤ 1280 wide, never upscaled, aspect kept, even dimensions for 4:2:0. */
export function posterSize(image: Pick<ImageInfo, "width" | "height">): { width: number; height: number } {
  const width = toEven(Math.min(POSTER_JOB_MAX_WIDTH, image.width));
  return { width, height: toEven((width * image.height) / image.width) };
}

function filterFor(image: ImageInfo, format: "yuvj420p" | "yuv420p"): string {
  const { width, height } = posterSize(image);
  const scale = `scale=w=${width}:h=${height}:flags=lanczos,setsar=1`;
  // Transparent pixels have arbitrary colour underneath: paint them onto black first.
  if (!image.hasAlpha) return `[0:v:0]${scale},format=${format}[out]`;
  return (
    `color=c=black:s=${width}x${height}[bg];[0:v:0]${scale},format=rgba[fg];` +
    `[bg][fg]overlay=shortest=1:format=auto,format=${format}[out]`
  );
}

// biome-ignore format: one flag/value pair per line
const base = (input: string) => ["-hide_banner", "-nostdin", "-y", "-loglevel", "error", ...untrustedImageArgs(input), "-i", input];

export function buildPosterJpegArgs(input: string, output: string, image: ImageInfo): string[] {
  // biome-ignore format: one flag/value pair per line
  return [...base(input), "-filter_complex", filterFor(image, "yuvj420p"), "-map", "[out]", "-frames:v", "1", "-q:v", "3", "-update", "1", output];
}

export function buildPosterWebpArgs(input: string, output: string, image: ImageInfo): string[] {
  // biome-ignore format: one flag/value pair per line
  return [...base(input), "-filter_complex", filterFor(image, "yuv420p"), "-map", "[out]", "-frames:v", "1", "-c:v", "libwebp", "-quality", "80", "-preset", "picture", output];
}

/** ffprobe the downloaded image (untrusted-input flags) → its picture, or a JobFailure the owner can read. */
export async function probeImageFile(
  ffmpeg: FfmpegBinaries,
  source: string,
  run: RunOptions,
  what = "poster",
): Promise<ImageInfo> {
  let probeJson: unknown;
  try {
    // biome-ignore format: one flag/value pair per line
    const args = ["-v", "error", ...untrustedInputArgs(source), "-print_format", "json", "-show_format", "-show_streams", source];
    const { stdout } = await runFfmpeg(ffmpeg.ffprobe, args, { ...run, captureStdout: true });
    probeJson = JSON.parse(stdout);
  } catch (err) {
    if (err instanceof FfmpegError && err.kind === "exit") probeJson = null;
    else throw err;
  }
  return interpretImageProbe(probeJson, what);
}

/**
 * The custom poster's WebP widths below its full size (ADR 0033), from the finished JPEG; the
 * full-size WebP is already made (every width when it is not). [] when they fail: the poster
 * still serves, as one size.
 */
async function smallerSizes(
  deps: HandlePosterDeps,
  jpg: string,
  tmp: string,
  image: ImageInfo,
  haveFull: boolean,
  run: RunOptions,
): Promise<PosterSizeOutput[]> {
  const full = posterSize(image);
  const outputs = posterSizesFor(full.width, full.height)
    .filter((s) => !haveFull || s.width < full.width)
    .map((s) => ({ ...s, file: join(tmp, `poster-${s.width}.webp`) }));
  try {
    await makePosterSizes(deps.ffmpeg.ffmpeg, jpg, outputs, run);
    return outputs;
  } catch (err) {
    if (deps.signal?.aborted) throw err;
    log.warn("poster sizes failed; one size only", { error: errorMessage(err) });
    return [];
  }
}

/** Uploads the JPEG, the WebP and the narrower WebPs; returns the widths, narrowest first. */
async function uploadPoster(
  deps: HandlePosterDeps,
  keyBase: string,
  files: { jpg: string; webp: string | null; sizes: PosterSizeOutput[]; full: PosterSize },
): Promise<PosterSizeKey[]> {
  const { storage, signal } = deps;
  await storage.upload(`${keyBase}.jpg`, files.jpg, signal);
  if (files.webp) await storage.upload(`${keyBase}.webp`, files.webp, signal);
  const keyed = files.sizes.map((s) => ({
    key: `${keyBase}-${s.width}.webp`,
    width: s.width,
    height: s.height,
  }));
  for (const [i, size] of files.sizes.entries()) await storage.upload(keyed[i]!.key, size.file, signal);
  return [...keyed, ...(files.webp ? [{ key: `${keyBase}.webp`, ...files.full }] : [])];
}

export async function handlePosterJob(job: PosterJobV1, deps: HandlePosterDeps): Promise<PosterOutcome> {
  const { storage, reporter, signal } = deps;
  const ctx = { videoId: job.videoId, jobId: job.jobId, attemptId: job.attemptId };
  const run = { nice: deps.limits?.nice, memoryBytes: deps.limits?.memoryBytes, timeoutMs: 60_000, signal };
  let tmp: string | undefined;
  try {
    tmp = await mkdtemp(join(deps.workDir, "streamline-poster-"));
    const source = join(tmp, "source");
    await storage.download(job.source.key, source, signal ? { signal } : {});

    const image = await probeImageFile(deps.ffmpeg, source, run);

    const keyBase = `${job.outputPrefix}poster-${job.attemptId}`;
    const jpg = join(tmp, "poster.jpg");
    try {
      await runFfmpeg(deps.ffmpeg.ffmpeg, buildPosterJpegArgs(source, jpg, image), run);
    } catch (err) {
      if (err instanceof FfmpegError && err.kind === "exit") {
        throw new JobFailure(ownerDetail("not a usable poster: the image could not be decoded", err), false);
      }
      throw err;
    }
    const posterKey = `${keyBase}.jpg`;
    let posterWebpKey: string | null = `${keyBase}.webp`;
    const webp = join(tmp, "poster.webp");
    try {
      await runFfmpeg(deps.ffmpeg.ffmpeg, buildPosterWebpArgs(source, webp, image), run);
    } catch (err) {
      if (signal?.aborted) throw err;
      // An ffmpeg without libwebp still gives the owner a poster.
      log.warn("poster WebP failed; JPEG only", { ...ctx, error: errorMessage(err) });
      posterWebpKey = null;
    }
    const sizes = await smallerSizes(deps, jpg, tmp, image, !!posterWebpKey, run);
    const files = { jpg, webp: posterWebpKey ? webp : null, sizes, full: posterSize(image) };
    const posterSizes = await uploadPoster(deps, keyBase, files);
    reporter.poster({ posterKey, posterWebpKey, posterSizes });
    return { status: "done", posterKey, posterWebpKey, posterSizes };
  } catch (err) {
    const failure =
      err instanceof JobFailure
        ? err
        : err instanceof SourceMissingError
          ? new JobFailure(err.message, false)
          : signal?.aborted
            ? new JobFailure(signal.reason instanceof Error ? signal.reason.message : "job cancelled", true)
            : err instanceof FfmpegError
              ? new JobFailure(ownerDetail("poster failed", err), err.kind !== "exit")
              : new JobFailure(`transcoder error: ${errorMessage(err)}`, true);
    log.warn("poster job failed", { ...ctx, reason: failure.message, retryable: failure.retryable });
    reporter.failed(failure.message, failure.retryable);
    return { status: "failed", reason: failure.message, retryable: failure.retryable };
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
    await reporter.flush();
  }
}
