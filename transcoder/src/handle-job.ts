/**
 * The transcode pipeline for one job attempt, with every dependency injected (storage,
 * reporter, ffmpeg binaries, work dir, clock): temp dir → download → probe → ladder →
 * ONE ffmpeg run → master playlist → uploads (rung by rung, master rewritten after each
 * so the video is playable as soon as its first rung is stored) → poster → `done`.
 *
 * Never throws: every outcome is reported to the edge and returned. The temp dir is
 * always removed.
 */

import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ProbeResult, Rendition, TranscodeJobV1 } from "@streamline/contracts";
import type { JobReporter } from "./events.ts";
import { buildHlsArgs, finaliseHlsOutput, INIT_SEGMENT, MEDIA_PLAYLIST } from "./ffmpeg/hls.ts";
import { type FfmpegBinaries, supportsFpsMode } from "./ffmpeg/locate.ts";
import { makePoster, POSTER_FILE } from "./ffmpeg/poster.ts";
import { type MediaInfo, NotAVideoError, probeFile } from "./ffmpeg/probe.ts";
import { FfmpegError, runFfmpeg } from "./ffmpeg/run.ts";
import { AAC_LC_CODEC, fpsValue, outputFrameRate, type Rung, selectLadder } from "./ladder.ts";
import { errorMessage, log } from "./log.ts";
import {
  type MasterVariant,
  measureBandwidth,
  parseMediaPlaylist,
  writeMasterPlaylist,
} from "./master-playlist.ts";
import { type ObjectStorage, SourceMissingError } from "./storage.ts";

export interface EncoderSettings {
  preset: string;
  threads?: number | undefined;
}

export interface HandleJobDeps {
  storage: ObjectStorage;
  reporter: JobReporter;
  ffmpeg: FfmpegBinaries;
  workDir: string;
  encoder: EncoderSettings;
  heartbeatMs: number;
  /** Called on every heartbeat tick (claim extension). */
  onHeartbeat?: () => void | Promise<void>;
  signal?: AbortSignal;
  /** Ceiling for the encode step. */
  timeoutMs?: number;
  uploadConcurrency?: number;
  now?: () => number;
}

export type JobOutcome =
  | {
      status: "done";
      renditions: Rendition[];
      masterKey: string;
      posterKey: string | null;
      probe: ProbeResult;
    }
  | { status: "failed"; reason: string; retryable: boolean };

/** Failure with its classification already decided. */
export class JobFailure extends Error {
  override name = "JobFailure";
  readonly retryable: boolean;
  constructor(reason: string, retryable: boolean) {
    super(reason);
    this.retryable = retryable;
  }
}

// Whole-job percent: each stage owns a slice of 0..100.
const STAGE_SPAN = {
  download: [0, 10],
  probe: [10, 11],
  encode: [11, 85],
  upload: [85, 98],
  thumbnails: [98, 100],
} as const;

function overall(stage: keyof typeof STAGE_SPAN, fraction: number): number {
  const [from, to] = STAGE_SPAN[stage];
  return from + (to - from) * Math.min(1, Math.max(0, fraction));
}

/** Output that decoded to far less than the probed duration: the middle of the file is broken. */
const MIN_DECODED_FRACTION = 0.8;

/** Readable failure text from an ffmpeg error: first line + a trimmed stderr tail. */
export function describeFfmpegFailure(what: string, err: FfmpegError): string {
  const tail = err.stderrTail
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-8)
    .join(" | ");
  const head = err.message.split("\n")[0] ?? "ffmpeg failed";
  return tail ? `${what}: ${head}: ${tail}`.slice(0, 1500) : `${what}: ${head}`;
}

const TRANSIENT_FFMPEG = /No space left on device|Cannot allocate memory|Resource temporarily unavailable/i;

function classify(err: unknown, signal: AbortSignal | undefined): JobFailure {
  if (err instanceof JobFailure) return err;
  if (err instanceof NotAVideoError) return new JobFailure(err.reason, false);
  if (err instanceof SourceMissingError) return new JobFailure(err.message, false);
  if (signal?.aborted) {
    const why = signal.reason instanceof Error ? signal.reason.message : "job cancelled";
    return new JobFailure(why, true);
  }
  if (err instanceof FfmpegError) {
    const reason = describeFfmpegFailure("transcoding failed", err);
    // Signals (OOM killer) and resource exhaustion are the machine's fault; an ffmpeg
    // error exit on this input will happen again on any node.
    const transient = err.kind === "signal" || err.kind === "spawn" || TRANSIENT_FFMPEG.test(err.stderrTail);
    return new JobFailure(reason, transient);
  }
  return new JobFailure(`transcoder error: ${errorMessage(err)}`, true);
}

interface ProducedRung {
  rung: Rung;
  rendition: Rendition;
  dir: string;
  /** Absolute paths, media playlist last. */
  files: string[];
  durationSec: number;
}

async function measureRung(
  outDir: string,
  rung: Rung,
  hasAudio: boolean,
  fps: number,
): Promise<ProducedRung> {
  const dir = join(outDir, rung.name);
  const playlist = parseMediaPlaylist(await readFile(join(dir, MEDIA_PLAYLIST), "utf8"));
  if (playlist.segments.length === 0 || !playlist.endList) {
    throw new JobFailure(`transcoding produced an empty or unfinished playlist for ${rung.name}`, true);
  }
  const sizes = await Promise.all(playlist.segments.map(async (s) => (await stat(join(dir, s.uri))).size));
  const initBytes = (await stat(join(dir, INIT_SEGMENT))).size;
  const bw = measureBandwidth(playlist, sizes, initBytes);
  const rendition: Rendition = {
    name: rung.name,
    kind: "video",
    width: rung.width,
    height: rung.height,
    bandwidth: bw.peak,
    averageBandwidth: bw.average,
    codecs: hasAudio ? `${rung.videoCodec},${AAC_LC_CODEC}` : rung.videoCodec,
    frameRate: Math.round(fps * 1000) / 1000,
    playlist: `${rung.name}/${MEDIA_PLAYLIST}`,
  };
  const files = [INIT_SEGMENT, ...playlist.segments.map((s) => s.uri), MEDIA_PLAYLIST];
  return { rung, rendition, dir, files: files.map((f) => join(dir, f)), durationSec: bw.durationSec };
}

function toVariant(r: Rendition): MasterVariant {
  return {
    name: r.name,
    playlist: r.playlist,
    bandwidth: r.bandwidth,
    averageBandwidth: r.averageBandwidth,
    codecs: r.codecs,
    width: r.width,
    height: r.height,
    frameRate: r.frameRate,
  };
}

export async function handleJob(job: TranscodeJobV1, deps: HandleJobDeps): Promise<JobOutcome> {
  const { reporter, storage, signal } = deps;
  const ctx = { videoId: job.videoId, jobId: job.jobId, attemptId: job.attemptId };
  let tmp: string | undefined;
  const heartbeat = setInterval(() => {
    reporter.heartbeat();
    Promise.resolve(deps.onHeartbeat?.()).catch((err: unknown) => {
      log.warn("heartbeat hook failed", { ...ctx, error: errorMessage(err) });
    });
  }, deps.heartbeatMs);
  heartbeat.unref();
  reporter.heartbeat();

  try {
    tmp = await mkdtemp(join(deps.workDir, "streamline-job-"));
    const sourceFile = join(tmp, "source");
    const outDir = join(tmp, "out");
    await mkdir(outDir);

    // 1. Download (streamed to disk).
    reporter.progress({ stage: "download", percent: 0 });
    await storage.download(job.source.key, sourceFile, {
      ...(signal ? { signal } : {}),
      onProgress: (received, total) => {
        const size = total ?? job.source.size;
        if (size > 0) reporter.progress({ stage: "download", percent: overall("download", received / size) });
      },
    });

    // 2. Probe: reject what is not a video before spending CPU on it.
    reporter.progress({ stage: "probe", percent: overall("probe", 0) });
    const media: MediaInfo = await probeFile(deps.ffmpeg.ffprobe, sourceFile, signal ? { signal } : {});
    const { probe } = media;
    reporter.probed(probe);
    log.info("probed", { ...ctx, ...probe });

    // 3. Ladder + one ffmpeg run for every rung.
    const fps = outputFrameRate(media.frameRate);
    const rungs = selectLadder(probe, fps);
    const args = buildHlsArgs({
      input: sourceFile,
      rungs,
      frameRate: fps,
      hasAudio: probe.hasAudio,
      preset: deps.encoder.preset,
      threads: deps.encoder.threads,
      fpsMode: supportsFpsMode(deps.ffmpeg.version),
    });
    reporter.progress({ stage: "encode", percent: overall("encode", 0) });
    await runFfmpeg(deps.ffmpeg.ffmpeg, args, {
      cwd: outDir,
      durationSec: probe.durationSec,
      ...(signal ? { signal } : {}),
      ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
      onProgress: (p) => {
        reporter.progress({
          stage: "encode",
          percent: overall("encode", (p.percent ?? 0) / 100),
          fps: p.fps,
          speed: p.speed,
          etaSec: p.etaSec,
        });
      },
    });
    await finaliseHlsOutput(outDir, rungs);

    const produced = await Promise.all(
      rungs.map((r) => measureRung(outDir, r, probe.hasAudio, fpsValue(fps))),
    );
    const decodedSec = Math.max(...produced.map((p) => p.durationSec));
    if (decodedSec < probe.durationSec * MIN_DECODED_FRACTION && probe.durationSec - decodedSec > 2) {
      throw new JobFailure(
        `not a playable video: file is corrupt or truncated (only ${decodedSec.toFixed(1)} s of ` +
          `${probe.durationSec.toFixed(1)} s could be decoded)`,
        false,
      );
    }

    // 4. Publish rung by rung, smallest first (fastest to upload), master rewritten each time.
    const masterKey = `${job.outputPrefix}master.m3u8`;
    const masterFile = join(outDir, "master.m3u8");
    const published: Rendition[] = [];
    const totalFiles = produced.reduce((n, p) => n + p.files.length, 0);
    let uploaded = 0;
    const ascending = [...produced].sort((a, b) => a.rendition.bandwidth - b.rendition.bandwidth);
    reporter.progress({ stage: "upload", percent: overall("upload", 0) });
    for (const rung of ascending) {
      // The media playlist goes last: a player never sees it before its segments exist.
      const items = rung.files.map((file) => ({
        file,
        key: `${job.outputPrefix}${rung.rung.name}/${basename(file)}`,
      }));
      const body = items.slice(0, -1);
      const playlistItem = items.at(-1);
      await storage.uploadAll(body, {
        concurrency: deps.uploadConcurrency ?? 4,
        ...(signal ? { signal } : {}),
      });
      if (playlistItem) await storage.upload(playlistItem.key, playlistItem.file, signal);
      uploaded += items.length;
      published.push(rung.rendition);
      await writeFile(masterFile, writeMasterPlaylist(published.map(toVariant)));
      await storage.upload(masterKey, masterFile, signal);
      reporter.rendition(rung.rendition, masterKey);
      reporter.progress({
        stage: "upload",
        percent: overall("upload", uploaded / totalFiles),
        rendition: rung.rung.name,
      });
    }

    // 5. Poster: nice to have; a failure here does not fail the video.
    reporter.progress({ stage: "thumbnails", percent: overall("thumbnails", 0) });
    let posterKey: string | null = null;
    try {
      const posterFile = join(tmp, POSTER_FILE);
      await makePoster(deps.ffmpeg.ffmpeg, sourceFile, posterFile, probe.durationSec, signal);
      posterKey = `${job.outputPrefix}${POSTER_FILE}`;
      await storage.upload(posterKey, posterFile, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      posterKey = null;
      log.warn("poster failed", { ...ctx, error: errorMessage(err) });
    }

    // Best first, as the edge lists them.
    const renditions = [...published].sort((a, b) => b.height * b.width - a.height * a.width);
    reporter.done({ probe, renditions, masterKey, posterKey });
    log.info("job done", { ...ctx, renditions: renditions.map((r) => r.name) });
    return { status: "done", renditions, masterKey, posterKey, probe };
  } catch (err) {
    const failure = classify(err, signal);
    log.warn("job failed", { ...ctx, reason: failure.message, retryable: failure.retryable });
    reporter.failed(failure.message, failure.retryable);
    return { status: "failed", reason: failure.message, retryable: failure.retryable };
  } finally {
    clearInterval(heartbeat);
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
    await reporter.flush();
  }
}
