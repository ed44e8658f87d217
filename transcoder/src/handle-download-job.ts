/**
 * The `download` job (ADR 0027): one rung's fMP4 HLS rendition — init segment + `moof/mdat`
 * fragments, already H.264/AAC — becomes one progressive, faststart MP4 at `outputKey`,
 * without re-encoding. The init segment and the fragments, concatenated in playlist order,
 * are a valid fragmented MP4; `ffmpeg -c copy -movflags +faststart` rewrites that (and the
 * shared audio rendition's, when the video has sound) into one file with its index first,
 * which every desktop player and editor opens. Reported as a `download` event.
 *
 * The inputs are our own outputs, still read with a whitelist (mov only, local files only).
 * Like the other handlers: never throws, temp dir always removed.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { DownloadJobV1 } from "@streamline/contracts";
import type { JobReporter } from "./events.ts";
import type { FfmpegBinaries } from "./ffmpeg/locate.ts";
import { FfmpegError, type RunOptions, runFfmpeg } from "./ffmpeg/run.ts";
import { errorMessage, log } from "./log.ts";
import { parseMediaPlaylist } from "./master-playlist.ts";
import { JobFailure, ownerDetail } from "./pipeline/failure.ts";
import type { ResourceLimits } from "./resources.ts";
import { type ObjectStorage, SourceMissingError } from "./storage.ts";

/** The storage client PUTs one body from memory (storage.ts): a larger file is refused, not crashed on. */
export const MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3 - 1;
/** Fragments fetched at once while assembling a rendition. */
const FETCH_CONCURRENCY = 4;
const SAFE_URI = /^[A-Za-z0-9_-]{1,60}\.(m4s|mp4)$/;

export interface DownloadReporter extends JobReporter {
  download(payload: { rung: string; key: string; sizeBytes: number; durationSec: number }): void;
}

export interface HandleDownloadDeps {
  storage: ObjectStorage;
  reporter: DownloadReporter;
  ffmpeg: FfmpegBinaries;
  workDir: string;
  limits?: ResourceLimits;
  signal?: AbortSignal;
}

export type DownloadOutcome =
  | { status: "done"; key: string; sizeBytes: number; durationSec: number }
  | { status: "failed"; reason: string; retryable: boolean };

/** The remux: video (and audio) streams copied into a faststart MP4. Pure. */
export function buildRemuxArgs(video: string, audio: string | null, output: string): string[] {
  const input = (file: string) => ["-format_whitelist", "mov", "-protocol_whitelist", "file", "-i", file];
  // biome-ignore format: flag/value pairs
  return [
    "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
    ...input(video), ...(audio ? input(audio) : []),
    "-map", "0:v:0", ...(audio ? ["-map", "1:a:0"] : []),
    "-c", "copy", "-movflags", "+faststart", "-f", "mp4", output,
  ];
}

/**
 * One rendition as a single fragmented MP4 file: its init segment then every fragment in
 * playlist order, fetched a few at a time into `dir` and appended in order.
 */
export async function assembleRendition(
  storage: ObjectStorage,
  playlistKey: string,
  dir: string,
  out: string,
  signal?: AbortSignal,
): Promise<number> {
  const folder = playlistKey.slice(0, playlistKey.lastIndexOf("/") + 1);
  const playlistFile = join(dir, "index.m3u8");
  await storage.download(playlistKey, playlistFile, signal ? { signal } : {});
  const playlist = parseMediaPlaylist(await readFile(playlistFile, "utf8"));
  const uris = [playlist.mapUri, ...playlist.segments.map((s) => s.uri)];
  if (!playlist.mapUri || playlist.segments.length === 0 || !uris.every((u) => u && SAFE_URI.test(u))) {
    throw new JobFailure("the rendition's playlist is not one this fleet wrote", false);
  }
  const parts = uris.map((_, i) => join(dir, `part-${String(i).padStart(6, "0")}`));
  let next = 0;
  const worker = async () => {
    while (next < uris.length) {
      const i = next++;
      await storage.download(`${folder}${uris[i]}`, parts[i]!, signal ? { signal } : {});
    }
  };
  await Promise.all(Array.from({ length: FETCH_CONCURRENCY }, worker));
  await writeFile(out, new Uint8Array(0));
  for (const part of parts) {
    await pipeline(createReadStream(part), createWriteStream(out, { flags: "a" }), signal ? { signal } : {});
    await rm(part);
  }
  return playlist.segments.reduce((sum, s) => sum + s.durationSec, 0);
}

async function probeDuration(ffmpeg: FfmpegBinaries, file: string, run: RunOptions): Promise<number> {
  // biome-ignore format: flag/value pairs
  const args = ["-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", file];
  const { stdout } = await runFfmpeg(ffmpeg.ffprobe, args, { ...run, captureStdout: true });
  const duration = Number.parseFloat(stdout.trim());
  return Number.isFinite(duration) ? duration : 0;
}

async function remux(job: DownloadJobV1, deps: HandleDownloadDeps, tmp: string, run: RunOptions) {
  const { storage, signal } = deps;
  const video = join(tmp, "video.mp4");
  await mkdirAndAssemble(storage, `${job.outputPrefix}${job.playlists.video}`, tmp, "v", video, signal);
  let audio: string | null = null;
  if (job.playlists.audio) {
    audio = join(tmp, "audio.mp4");
    await mkdirAndAssemble(storage, `${job.outputPrefix}${job.playlists.audio}`, tmp, "a", audio, signal);
  }
  const output = join(tmp, "download.mp4");
  try {
    await runFfmpeg(deps.ffmpeg.ffmpeg, buildRemuxArgs(video, audio, output), run);
  } catch (err) {
    if (err instanceof FfmpegError && err.kind === "exit")
      throw new JobFailure(ownerDetail("the MP4 could not be assembled", err), false);
    throw err;
  }
  const sizeBytes = (await stat(output)).size;
  if (sizeBytes > MAX_DOWNLOAD_BYTES)
    throw new JobFailure("this rung is too large for a single-file download (over 2 GiB)", false);
  return { output, sizeBytes, durationSec: await probeDuration(deps.ffmpeg, output, run) };
}

async function mkdirAndAssemble(
  storage: ObjectStorage,
  key: string,
  tmp: string,
  name: string,
  out: string,
  signal?: AbortSignal,
) {
  const dir = await mkdtemp(join(tmp, `${name}-`));
  await assembleRendition(storage, key, dir, out, signal);
  await rm(dir, { recursive: true, force: true });
}

export async function handleDownloadJob(
  job: DownloadJobV1,
  deps: HandleDownloadDeps,
): Promise<DownloadOutcome> {
  const { storage, reporter, signal } = deps;
  const ctx = { videoId: job.videoId, jobId: job.jobId, attemptId: job.attemptId, rung: job.rung };
  const run = { nice: deps.limits?.nice, memoryBytes: deps.limits?.memoryBytes, timeoutMs: 600_000, signal };
  let tmp: string | undefined;
  try {
    tmp = await mkdtemp(join(deps.workDir, "streamline-download-"));
    const { output, sizeBytes, durationSec } = await remux(job, deps, tmp, run);
    await storage.upload(job.outputKey, output, signal);
    reporter.download({ rung: job.rung, key: job.outputKey, sizeBytes, durationSec });
    log.info("download ready", { ...ctx, sizeBytes, durationSec });
    return { status: "done", key: job.outputKey, sizeBytes, durationSec };
  } catch (err) {
    const failure =
      err instanceof JobFailure
        ? err
        : err instanceof SourceMissingError
          ? new JobFailure("the rendition is gone (the video was deleted or re-encoded)", false)
          : signal?.aborted
            ? new JobFailure("job cancelled", true)
            : err instanceof FfmpegError
              ? new JobFailure(ownerDetail("download failed", err), err.kind !== "exit")
              : new JobFailure(`transcoder error: ${errorMessage(err)}`, true);
    log.warn("download job failed", { ...ctx, reason: failure.message, retryable: failure.retryable });
    reporter.failed(failure.message, failure.retryable);
    return { status: "failed", reason: failure.message, retryable: failure.retryable };
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
    await reporter.flush();
  }
}
