/**
 * The `channel-image` job: a channel's uploaded avatar or banner (JPEG/PNG/WebP, sniffed by
 * the edge, probed again here) becomes every size the pages use (contracts AVATAR_SIZES,
 * BANNER_SIZES) as JPEGs under the job's version prefix — centre-cropped to each size's
 * shape, transparency flattened onto grey — from ONE ffmpeg process (decode once, split).
 * A new prefix per upload, so a URL's bytes never change. Reports one event to the edge.
 * Like the other handlers: never throws, temp dir always removed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { AVATAR_SIZES, BANNER_SIZES, type ChannelImageJobV1, channelImageFiles } from "@streamline/contracts";
import type { ReportChannelImage } from "./channel-image-events.ts";
import { untrustedImageArgs } from "./ffmpeg/input-policy.ts";
import type { FfmpegBinaries } from "./ffmpeg/locate.ts";
import { FfmpegError, runFfmpeg } from "./ffmpeg/run.ts";
import { type ImageInfo, probeImageFile } from "./handle-poster-job.ts";
import { errorMessage, log } from "./log.ts";
import { JobFailure, ownerDetail } from "./pipeline/failure.ts";
import type { ResourceLimits } from "./resources.ts";
import { type ObjectStorage, SourceMissingError } from "./storage.ts";

export interface HandleChannelImageDeps {
  storage: ObjectStorage;
  report: ReportChannelImage;
  ffmpeg: FfmpegBinaries;
  workDir: string;
  limits?: ResourceLimits;
  signal?: AbortSignal;
}

export type ChannelImageOutcome =
  | { status: "done"; keyPrefix: string; keys: string[] }
  | { status: "failed"; reason: string };

/** The output sizes of `kind`, in the order of `channelImageFiles(kind)`. */
export function channelImageSizes(kind: ChannelImageJobV1["kind"]): { width: number; height: number }[] {
  return kind === "avatar" ? AVATAR_SIZES.map((s) => ({ width: s, height: s })) : [...BANNER_SIZES];
}

/**
 * One filter graph for every size: optional flatten onto grey, split, then per size a
 * cover-scale and centre crop (`[o0]`, `[o1]`, …). Pure.
 */
export function channelImageFilter(image: ImageInfo, sizes: { width: number; height: number }[]): string {
  const flatten = image.hasAlpha
    ? `color=c=0x808080:s=${image.width}x${image.height}[bg];[0:v:0]format=rgba[fg];[bg][fg]overlay=shortest=1:format=auto[in];[in]`
    : "[0:v:0]";
  const split = `${flatten}split=${sizes.length}${sizes.map((_, i) => `[s${i}]`).join("")}`;
  const outputs = sizes.map(
    ({ width: w, height: h }, i) =>
      `[s${i}]scale=w=${w}:h=${h}:force_original_aspect_ratio=increase:flags=lanczos,crop=${w}:${h},setsar=1,format=yuvj420p[o${i}]`,
  );
  return [split, ...outputs].join(";");
}

export function buildChannelImageArgs(
  input: string,
  outputs: string[],
  image: ImageInfo,
  sizes: { width: number; height: number }[],
): string[] {
  // biome-ignore format: one flag/value pair per line
  const head = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error", ...untrustedImageArgs(input), "-i", input, "-filter_complex", channelImageFilter(image, sizes)];
  return [
    ...head,
    ...outputs.flatMap((out, i) => ["-map", `[o${i}]`, "-frames:v", "1", "-q:v", "3", "-update", "1", out]),
  ];
}

async function render(job: ChannelImageJobV1, deps: HandleChannelImageDeps, tmp: string): Promise<string[]> {
  const run = {
    nice: deps.limits?.nice,
    memoryBytes: deps.limits?.memoryBytes,
    timeoutMs: 60_000,
    signal: deps.signal,
  };
  const source = join(tmp, "source");
  await deps.storage.download(job.source.key, source, deps.signal ? { signal: deps.signal } : {});
  const image = await probeImageFile(deps.ffmpeg, source, run, job.kind);
  const files = channelImageFiles(job.kind);
  const outputs = files.map((f) => join(tmp, f));
  try {
    await runFfmpeg(
      deps.ffmpeg.ffmpeg,
      buildChannelImageArgs(source, outputs, image, channelImageSizes(job.kind)),
      run,
    );
  } catch (err) {
    if (err instanceof FfmpegError && err.kind === "exit") {
      throw new JobFailure(
        ownerDetail(`not a usable ${job.kind}: the image could not be decoded`, err),
        false,
      );
    }
    throw err;
  }
  const items = files.map((f, i) => ({ key: `${job.outputPrefix}${f}`, file: outputs[i]! }));
  await deps.storage.uploadAll(items, deps.signal ? { signal: deps.signal } : {});
  return items.map((i) => i.key);
}

export async function handleChannelImageJob(
  job: ChannelImageJobV1,
  deps: HandleChannelImageDeps,
): Promise<ChannelImageOutcome> {
  const ctx = { userId: job.userId, kind: job.kind, jobId: job.jobId, attemptId: job.attemptId };
  let tmp: string | undefined;
  try {
    tmp = await mkdtemp(join(deps.workDir, "streamline-channel-image-"));
    const keys = await render(job, deps, tmp);
    await deps.report({ keyPrefix: job.outputPrefix });
    return { status: "done", keyPrefix: job.outputPrefix, keys };
  } catch (err) {
    const reason =
      err instanceof JobFailure || err instanceof SourceMissingError
        ? err.message
        : err instanceof FfmpegError
          ? ownerDetail(`${job.kind} failed`, err)
          : `transcoder error: ${errorMessage(err)}`;
    log.warn("channel-image job failed", { ...ctx, reason });
    await deps.report({ reason });
    return { status: "failed", reason };
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
  }
}
