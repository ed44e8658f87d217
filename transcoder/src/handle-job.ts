/**
 * The transcode pipeline for one job attempt, with every dependency injected (storage,
 * reporter, ffmpeg binaries, work dir, limits). Progressive (docs/adr/0006):
 *
 *   head + disk check → ffprobe (over a presigned URL; the local copy is downloaded
 *   once the video is playable) →
 *   phase 1: ONE fast ffmpeg for the lowest rung + the shared AAC rendition, EVENT
 *            playlists published segment by segment; after FIRST_PUBLISH_SEGMENTS the
 *            first master goes up under a new key and `rendition` events make the
 *            video playable; at the end the playlists get #EXT-X-ENDLIST;
 *   phase 2: once playable and downloaded, ONE ffmpeg (decode once → split) for every
 *            other H.264 rung, published rung by rung with a new master each time;
 *   phase 3: optional extra ladder (HEVC/AV1, `EXTRA_CODECS`), same way;
 *   alongside: trick-play sprites from the low rung, poster from the source;
 *   → final `master.m3u8` → `done`.
 *
 * Every master is a NEW object (`master-<n>.m3u8`, finally `master.m3u8`) and the
 * `rendition` event carries its key: the edge switches its pointer only to complete
 * objects, so players never read a half-written master.
 *
 * Never throws: every outcome is reported to the edge and returned. Child processes are
 * stopped and the temp dir removed on every exit path.
 */

import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ProbeResult, Rendition, TranscodeJobV1, Trickplay } from "@streamline/contracts";
import type { JobReporter, ProgressStage } from "./events.ts";
import { videoCodecFromInit } from "./ffmpeg/codecs.ts";
import {
  buildHlsArgs,
  httpInputArgs,
  INIT_FILE_PATTERN,
  MEDIA_PLAYLIST,
  outputNames,
  SEGMENT_SECONDS,
} from "./ffmpeg/hls.ts";
import { type FfmpegBinaries, supportsFpsMode } from "./ffmpeg/locate.ts";
import { makePoster, POSTER_FILE } from "./ffmpeg/poster.ts";
import { looksLikeMediaContainer, type MediaInfo, NotAVideoError, probeFile } from "./ffmpeg/probe.ts";
import { FfmpegError, type FfmpegProgress, runFfmpeg } from "./ffmpeg/run.ts";
import { HlsPublisher, measureOutput, type PublishedOutput } from "./hls-publisher.ts";
import {
  AAC_LC_CODEC,
  AUDIO_RENDITION_NAME,
  type ExtraCodec,
  extraLadder,
  fpsValue,
  outputFrameRate,
  type Rung,
  selectLadder,
} from "./ladder.ts";
import { errorMessage, log } from "./log.ts";
import { writeMasterPlaylist } from "./master-playlist.ts";
import {
  BACKGROUND_NICE_STEP,
  DEFAULT_LIMITS,
  ensureDiskSpace,
  InsufficientDiskError,
  type ResourceLimits,
  runTimeoutMs,
} from "./resources.ts";
import { type ObjectStorage, SourceMissingError } from "./storage.ts";
import { concatFragments, makeTrickplay, TRICKPLAY_DIR } from "./trickplay.ts";

export interface EncoderSettings {
  /** x264 preset for every H.264 rung (phase 1 included). */
  preset: string;
  /** Deprecated alias of `limits.threads`. */
  threads?: number | undefined;
  /** Extra ladders (HEVC / AV1) encoded after the H.264 ladder. */
  extraCodecs?: readonly ExtraCodec[] | undefined;
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
  /** Ceiling for any one ffmpeg run (the duration-derived timeout never exceeds it). */
  timeoutMs?: number;
  limits?: ResourceLimits;
  uploadConcurrency?: number;
  /** Segments of the low rung (and audio) stored before the first master goes up (default 2). */
  firstPublishSegments?: number;
  /** How often phase 1's output folder is checked for new segments (default 250 ms). */
  publishPollMs?: number;
  /**
   * Read the source over a presigned URL while it downloads (default: when the storage
   * can presign). Off: wait for the whole download first.
   */
  streamSource?: boolean;
  now?: () => number;
}

export type JobOutcome =
  | {
      status: "done";
      renditions: Rendition[];
      masterKey: string;
      posterKey: string | null;
      trickplay: Trickplay | undefined;
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

export const FIRST_PUBLISH_SEGMENTS = 2;
/** Presigned source URLs outlive the longest phase-1 encode. */
const SOURCE_URL_TTL_SEC = 6 * 60 * 60;
const HEAD_BYTES = 4096;

/** Output that decoded to far less than the probed duration: the middle of the file is broken. */
const MIN_DECODED_FRACTION = 0.8;

/** Readable failure text from an ffmpeg error: first line + a trimmed stderr tail. */
export function describeFfmpegFailure(what: string, err: FfmpegError): string {
  const tail = err.stderrTail
    .split("\n")
    .map((l) => l.trim())
    // SVT-AV1 prints its banner on stderr whatever the log level: not a reason.
    .filter((l) => l && !l.startsWith("Svt["))
    .slice(-8)
    .join(" | ");
  const head = err.message.split("\n")[0] ?? "ffmpeg failed";
  return tail ? `${what}: ${head}: ${tail}`.slice(0, 1500) : `${what}: ${head}`;
}

const TRANSIENT_FFMPEG =
  /No space left on device|Cannot allocate memory|Resource temporarily unavailable|failed to map segment|Connection (reset|refused|timed out)|Server returned 5\d\d/i;

function classify(err: unknown, signal: AbortSignal | undefined): JobFailure {
  if (err instanceof JobFailure) return err;
  if (err instanceof NotAVideoError) return new JobFailure(err.reason, false);
  if (err instanceof SourceMissingError) return new JobFailure(err.message, false);
  if (err instanceof InsufficientDiskError) return new JobFailure(err.message, true);
  if (signal?.aborted) {
    const why = signal.reason instanceof Error ? signal.reason.message : "job cancelled";
    return new JobFailure(why, true);
  }
  if (err instanceof FfmpegError) {
    const reason = describeFfmpegFailure("transcoding failed", err);
    // Signals (OOM killer), resource exhaustion and network trouble are the machine's
    // fault; an ffmpeg error exit on this input will happen again on any node.
    const transient = err.kind === "signal" || err.kind === "spawn" || TRANSIENT_FFMPEG.test(err.stderrTail);
    return new JobFailure(reason, transient);
  }
  return new JobFailure(`transcoder error: ${errorMessage(err)}`, true);
}

/** Whole-job percent: download/probe first, then the encode phases by estimated cost, then the tail. */
class ProgressTracker {
  private readonly reporter: JobReporter;
  private readonly weights: number[];
  private readonly done: number[];
  constructor(reporter: JobReporter, weights: number[]) {
    this.reporter = reporter;
    this.weights = weights;
    this.done = weights.map(() => 0);
  }
  encode(phase: number, p: FfmpegProgress): void {
    this.done[phase] = Math.min(1, (p.percent ?? 0) / 100);
    const total = this.weights.reduce((a, b) => a + b, 0) || 1;
    const fraction = this.weights.reduce((s, w, i) => s + w * (this.done[i] ?? 0), 0) / total;
    this.reporter.progress({
      stage: "encode",
      percent: 12 + 80 * fraction,
      fps: p.fps,
      speed: p.speed,
      etaSec: p.etaSec,
    });
  }
  stage(stage: ProgressStage, percent: number, rendition?: string): void {
    this.reporter.progress({ stage, percent, ...(rendition ? { rendition } : {}) });
  }
}

function audioRendition(measured: { peak: number; average: number }): Rendition {
  return {
    name: AUDIO_RENDITION_NAME,
    kind: "audio",
    width: 0,
    height: 0,
    bandwidth: measured.peak,
    averageBandwidth: measured.average,
    codecs: AAC_LC_CODEC,
    frameRate: 0,
    playlist: `${AUDIO_RENDITION_NAME}/${MEDIA_PLAYLIST}`,
  };
}

/**
 * A video variant: BANDWIDTH/AVERAGE-BANDWIDTH and CODECS cover the variant as the
 * master lists it, i.e. video + the shared audio rendition when there is one.
 */
function videoRendition(
  rung: Rung,
  videoCodec: string,
  video: { peak: number; average: number },
  audio: Rendition | null,
  fps: number,
): Rendition {
  return {
    name: rung.name,
    kind: "video",
    width: rung.width,
    height: rung.height,
    bandwidth: video.peak + (audio?.bandwidth ?? 0),
    averageBandwidth: video.average + (audio?.averageBandwidth ?? 0),
    codecs: audio ? `${videoCodec},${audio.codecs}` : videoCodec,
    frameRate: Math.round(fps * 1000) / 1000,
    playlist: `${rung.name}/${MEDIA_PLAYLIST}`,
  };
}

/** Uploads each master under a new key (`master-<n>.m3u8`; the last one `master.m3u8`). */
class MasterPublisher {
  private n = 0;
  private readonly storage: ObjectStorage;
  private readonly prefix: string;
  private readonly signal: AbortSignal | undefined;
  constructor(storage: ObjectStorage, prefix: string, signal: AbortSignal | undefined) {
    this.storage = storage;
    this.prefix = prefix;
    this.signal = signal;
  }
  async publish(renditions: readonly Rendition[], final = false): Promise<string> {
    this.n += 1;
    const key = final ? `${this.prefix}master.m3u8` : `${this.prefix}master-${this.n}.m3u8`;
    await this.storage.putText(key, writeMasterPlaylist(renditions), this.signal);
    return key;
  }
}

const FAMILIES = ["avc1", "hvc1", "av01"];

function sortBest(renditions: readonly Rendition[]): Rendition[] {
  // As the edge lists them: H.264 best first, then each extra codec ladder, audio last.
  const rank = (r: Rendition) =>
    r.kind === "audio"
      ? FAMILIES.length
      : Math.max(
          0,
          FAMILIES.findIndex((f) => r.codecs.startsWith(f)),
        );
  return [...renditions].sort(
    (a, b) => rank(a) - rank(b) || b.width * b.height - a.width * a.height || b.bandwidth - a.bandwidth,
  );
}

export async function handleJob(job: TranscodeJobV1, deps: HandleJobDeps): Promise<JobOutcome> {
  const { reporter, storage } = deps;
  const external = deps.signal;
  // Internal abort: one failing phase stops the others.
  const internal = new AbortController();
  const signal = external ? AbortSignal.any([external, internal.signal]) : internal.signal;
  const ctx = { videoId: job.videoId, jobId: job.jobId, attemptId: job.attemptId };
  const limits: ResourceLimits = { ...deps.limits };
  limits.threads ??= deps.encoder.threads;
  const baseNice = limits.nice ?? DEFAULT_LIMITS.nice;
  const runLimits = (nice: number, memoryFactor = 1) => ({
    nice,
    memoryBytes: limits.memoryBytes ? limits.memoryBytes * memoryFactor : undefined,
  });
  const fpsMode = supportsFpsMode(deps.ffmpeg.version);
  let tmp: string | undefined;
  /** Everything running in the background; awaited (settled) before the temp dir goes. */
  const background: Promise<unknown>[] = [];
  let firstError: unknown = null;
  const fail = (err: unknown) => {
    firstError ??= err;
    if (!internal.signal.aborted) internal.abort(err);
  };

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
    const workDir = tmp;
    const sourceFile = join(workDir, "source");

    // 0. The first bytes (container sniffing, size) and room on disk for this job.
    const head = storage.readHead ? await storage.readHead(job.source.key, HEAD_BYTES, signal) : null;
    const sourceBytes = head?.size ?? job.source.size;
    await ensureDiskSpace(deps.workDir, sourceBytes, limits.diskHeadroom ?? DEFAULT_LIMITS.diskHeadroom);

    // 1. The local copy is for the later phases and the poster. When the source can be
    // streamed it is fetched only once the video is playable: on a busy node the first
    // rung must not share the CPU (and the storage) with a multi-GB download.
    let probed = false;
    let downloading: Promise<unknown> | null = null;
    const ensureDownload = (): Promise<unknown> => {
      if (!downloading) {
        if (!probed) reporter.progress({ stage: "download", percent: 0 });
        downloading = storage.download(job.source.key, sourceFile, {
          signal,
          onProgress: (received, total) => {
            const size = total ?? sourceBytes;
            if (!probed && size > 0)
              reporter.progress({ stage: "download", percent: 10 * (received / size) });
          },
        });
        downloading.catch(() => {});
        background.push(downloading);
      }
      return downloading;
    };

    const canStream =
      (deps.streamSource ?? true) && !!storage.presignGet && !!head && looksLikeMediaContainer(head.bytes);
    let input = sourceFile;
    let inputArgs: string[] = [];
    if (canStream && storage.presignGet) {
      input = await storage.presignGet(job.source.key, SOURCE_URL_TTL_SEC);
      inputArgs = httpInputArgs();
    } else {
      // Not a container we know (or no presigning): local file only, and probe decides.
      await ensureDownload();
    }

    // 2. Probe: reject what is not a video before spending CPU on it.
    reporter.progress({ stage: "probe", percent: 10 });
    let media: MediaInfo;
    try {
      media = await probeFile(deps.ffmpeg.ffprobe, input, { signal, inputArgs });
    } catch (err) {
      if (input === sourceFile || signal.aborted) throw err;
      // Over HTTP ffprobe cannot tell "broken" from "not a video" by the first bytes:
      // decide on the downloaded file, which also gives the uploader the same reason.
      log.info("probe over URL failed; probing the downloaded file", { ...ctx, error: errorMessage(err) });
      await ensureDownload();
      input = sourceFile;
      inputArgs = [];
      media = await probeFile(deps.ffmpeg.ffprobe, sourceFile, { signal });
    }
    probed = true;
    const { probe } = media;
    reporter.probed(probe);
    log.info("probed", {
      ...ctx,
      ...probe,
      audioStream: media.audioStream,
      hdr: media.colour.hdr,
      vfr: media.variableFrameRate,
      streaming: input !== sourceFile,
    });

    // 3. Plan: the ladder, which rung goes first, what each phase encodes.
    const fps = outputFrameRate(media.frameRate);
    const fpsNumber = fpsValue(fps);
    const ladder = selectLadder(probe, fps);
    const low = ladder.at(-1) as Rung;
    const rest = ladder.slice(0, -1);
    const extra = (deps.encoder.extraCodecs ?? []).flatMap((c) => extraLadder(ladder, c));
    const audio = media.audioStream !== null ? { stream: media.audioStream } : null;
    const timeoutMs = runTimeoutMs(probe.durationSec, limits, deps.timeoutMs);
    const common = {
      frameRate: fps,
      preset: deps.encoder.preset,
      threads: limits.threads,
      fpsMode,
      colour: media.colour,
    };
    const progress = new ProgressTracker(reporter, [1, rest.length * 2, extra.length * 4]);
    const masters = new MasterPublisher(storage, job.outputPrefix, signal);
    const published = new Map<string, Rendition>();
    /** A new master with `items` added, then their `rendition` events pointing at it. */
    const publishRenditions = async (items: Rendition[]): Promise<string> => {
      for (const r of items) published.set(r.name, r);
      const masterKey = await masters.publish([...published.values()]);
      for (const r of items) reporter.rendition(r, masterKey);
      return masterKey;
    };

    // 4. Phase 1: the low rung + audio, published while ffmpeg writes them.
    const minSegments = deps.firstPublishSegments ?? FIRST_PUBLISH_SEGMENTS;
    let firstPublished = false;
    let signalPlayable: () => void = () => {};
    const playable = new Promise<void>((resolve) => {
      signalPlayable = resolve;
    });
    let audioFinal: Rendition | null = null;
    const publishLowRung = async (state: readonly PublishedOutput[], complete: boolean) => {
      const lowOut = state.find((o) => o.name === low.name) as PublishedOutput;
      const audioOut = state.find((o) => o.name === AUDIO_RENDITION_NAME);
      const a = audioOut ? audioRendition(measureOutput(audioOut, SEGMENT_SECONDS)) : null;
      const measured = measureOutput(lowOut, SEGMENT_SECONDS);
      // Before the rung is complete its peak is not known yet: advertise at least the VBV cap.
      const video = complete
        ? measured
        : { ...measured, peak: Math.max(measured.peak, low.maxrateKbps * 1000) };
      return { video: videoRendition(low, low.videoCodec, video, a, fpsNumber), audio: a };
    };
    /** One phase-1 encode into its own folder, published while it runs. */
    const encodeLowRung = async (dir: string, from: string, fromArgs: string[]) => {
      await mkdir(dir);
      const publisher = new HlsPublisher({
        storage,
        outDir: dir,
        outputs: outputNames({ rungs: [low], audio }),
        keyPrefix: job.outputPrefix,
        playlistType: "EVENT",
        segmentSeconds: SEGMENT_SECONDS,
        signal,
        ...(deps.publishPollMs ? { pollMs: deps.publishPollMs } : {}),
        ...(deps.uploadConcurrency ? { concurrency: deps.uploadConcurrency } : {}),
        onRound: async (state) => {
          if (firstPublished || !state.every((o) => o.segments.length >= minSegments)) return;
          firstPublished = true;
          const { video, audio: a } = await publishLowRung(state, false);
          await publishRenditions(a ? [video, a] : [video]);
          log.info("playable", { ...ctx, rendition: low.name, segments: minSegments });
          signalPlayable();
        },
      });
      publisher.start();
      try {
        await Promise.race([
          runFfmpeg(
            deps.ffmpeg.ffmpeg,
            buildHlsArgs({
              ...common,
              input: from,
              inputArgs: fromArgs,
              rungs: [low],
              audio,
              playlistType: "event",
            }),
            {
              cwd: dir,
              durationSec: probe.durationSec,
              signal,
              timeoutMs,
              ...runLimits(baseNice),
              onProgress: (p) => progress.encode(0, p),
            },
          ),
          publisher.failedPromise,
        ]);
      } catch (error) {
        await publisher.stop();
        const nothingStored = publisher.snapshot().every((o) => o.segments.length === 0);
        return { ok: false as const, error, nothingStored };
      }
      return { ok: true as const, dir, state: await publisher.finish(true) };
    };
    const phase1 = (async () => {
      let run = await encodeLowRung(join(workDir, "p1"), input, inputArgs);
      if (
        !run.ok &&
        run.nothingStored &&
        input !== sourceFile &&
        run.error instanceof FfmpegError &&
        run.error.kind === "exit" &&
        !signal.aborted
      ) {
        // Reading over HTTP failed (a server without ranges, a dropped connection) before
        // anything was published: the same encode from the downloaded file.
        log.warn("phase 1 over the presigned URL failed; retrying from the downloaded file", {
          ...ctx,
          error: describeFfmpegFailure("phase 1", run.error),
        });
        await ensureDownload();
        run = await encodeLowRung(join(workDir, "p1-local"), sourceFile, []);
      }
      if (!run.ok) throw run.error;
      const { state } = run;
      const lowOut = state.find((o) => o.name === low.name) as PublishedOutput;
      if (
        lowOut.durationSec < probe.durationSec * MIN_DECODED_FRACTION &&
        probe.durationSec - lowOut.durationSec > 2
      ) {
        throw new JobFailure(
          `not a playable video: file is corrupt or truncated (only ${lowOut.durationSec.toFixed(1)} s of ` +
            `${probe.durationSec.toFixed(1)} s could be decoded)`,
          false,
        );
      }
      const final = await publishLowRung(state, true);
      audioFinal = final.audio;
      if (!firstPublished) {
        // Shorter than the first-publish threshold: complete before it was ever playable.
        firstPublished = true;
        await publishRenditions(final.audio ? [final.video, final.audio] : [final.video]);
        signalPlayable();
      } else {
        // Measured figures replace the provisional ones in the next master.
        published.set(final.video.name, final.video);
        if (final.audio) published.set(final.audio.name, final.audio);
      }
      return {
        dir: join(run.dir, low.name),
        segments: lowOut.segments.map((s) => s.uri),
        durationSec: lowOut.durationSec,
      };
    })();
    phase1.catch(fail);
    background.push(phase1);

    // Trick-play from the low rung as soon as it is complete (keyframes only: cheap).
    const trickplayDone = (async (): Promise<Trickplay | undefined> => {
      const low1 = await phase1;
      try {
        const initName = (await readdir(low1.dir)).find((f) => INIT_FILE_PATTERN.test(f));
        if (!initName) throw new Error("no init segment");
        const lowFile = join(workDir, "low.mp4");
        await concatFragments(
          [join(low1.dir, initName), ...low1.segments.map((s) => join(low1.dir, s))],
          lowFile,
        );
        const outDir = join(workDir, TRICKPLAY_DIR);
        await mkdir(outDir);
        const made = await makeTrickplay({
          ffmpeg: deps.ffmpeg.ffmpeg,
          input: lowFile,
          keyframesOnly: true,
          outDir,
          durationSec: low1.durationSec,
          width: low.width,
          height: low.height,
          threads: limits.threads,
          ...runLimits(baseNice),
          timeoutMs,
          signal,
        });
        const prefix = `${job.outputPrefix}${TRICKPLAY_DIR}/`;
        const spriteKeys = made.spriteFiles.map((f) => `${prefix}${f.slice(f.lastIndexOf("/") + 1)}`);
        await storage.uploadAll(
          made.spriteFiles.map((file, i) => ({ file, key: spriteKeys[i] as string })),
          { concurrency: 4, signal },
        );
        // The VTT last: it references the sheets.
        const vttKey = `${prefix}thumbnails.vtt`;
        await storage.upload(vttKey, made.vttFile, signal);
        return { vttKey, spriteKeys, intervalSec: made.intervalSec };
      } catch (err) {
        if (signal.aborted) throw err;
        log.warn("trick-play failed", { ...ctx, error: errorMessage(err) });
        return undefined;
      }
    })();
    trickplayDone.catch(() => {});
    background.push(trickplayDone);

    // The local copy, once playable (or once phase 1 is over, whichever comes first).
    const afterPlayable = Promise.race([playable, phase1.then(() => {})]).then(ensureDownload);
    afterPlayable.catch(() => {});

    // Poster from the source once it is on disk: nice to have; never fails the video.
    const posterDone = (async (): Promise<string | null> => {
      await afterPlayable;
      try {
        const posterFile = join(workDir, POSTER_FILE);
        await makePoster(deps.ffmpeg.ffmpeg, sourceFile, posterFile, probe.durationSec, signal);
        const key = `${job.outputPrefix}${POSTER_FILE}`;
        await storage.upload(key, posterFile, signal);
        return key;
      } catch (err) {
        if (signal.aborted) throw err;
        log.warn("poster failed", { ...ctx, error: errorMessage(err) });
        return null;
      }
    })();
    posterDone.catch(() => {});
    background.push(posterDone);

    // 5. Phases 2 and 3, after the video is playable: one process per ladder, decode once.
    const encodeLadder = async (phase: number, rungs: readonly Rung[], memoryFactor: number) => {
      const dir = join(workDir, `p${phase + 1}`);
      await mkdir(dir);
      await runFfmpeg(
        deps.ffmpeg.ffmpeg,
        buildHlsArgs({ ...common, input: sourceFile, rungs, playlistType: "vod" }),
        {
          cwd: dir,
          durationSec: probe.durationSec,
          signal,
          timeoutMs,
          ...runLimits(baseNice + (limits.backgroundNiceStep ?? BACKGROUND_NICE_STEP), memoryFactor),
          onProgress: (p) => progress.encode(phase, p),
        },
      );
      return dir;
    };
    const publishLadder = async (dir: string, rungs: readonly Rung[]) => {
      // Smallest first: quickest to upload, and it widens the choice at the bottom first.
      for (const rung of [...rungs].sort((a, b) => a.maxrateKbps - b.maxrateKbps)) {
        const rungDir = join(dir, rung.name);
        const initName = (await readdir(rungDir)).find((f) => INIT_FILE_PATTERN.test(f));
        const codec =
          rung.codec === "h264" || !initName
            ? rung.videoCodec
            : (videoCodecFromInit(await readFile(join(rungDir, initName))) ?? rung.videoCodec);
        const [out] = await new HlsPublisher({
          storage,
          outDir: dir,
          outputs: [rung.name],
          keyPrefix: job.outputPrefix,
          playlistType: "VOD",
          segmentSeconds: SEGMENT_SECONDS,
          signal,
          ...(deps.uploadConcurrency ? { concurrency: deps.uploadConcurrency } : {}),
        }).finish(true);
        const rendition = videoRendition(
          rung,
          codec,
          measureOutput(out as PublishedOutput, SEGMENT_SECONDS),
          audioFinal,
          fpsNumber,
        );
        await publishRenditions([rendition]);
        progress.stage("upload", 92, rung.name);
      }
    };
    const ladders = (async () => {
      await afterPlayable;
      let p2: string | null = null;
      if (rest.length > 0) p2 = await encodeLadder(1, rest, 1);
      // The low rung's final numbers (and the audio's) must be known before rungs that reference them.
      await phase1;
      if (p2) await publishLadder(p2, rest);
      if (extra.length > 0) {
        // SVT-AV1 reserves far more address space than x264 for its lookahead pools.
        const p3 = await encodeLadder(2, extra, extra.some((r) => r.codec === "av1") ? 4 : 2);
        await publishLadder(p3, extra);
      }
    })();
    ladders.catch(fail);
    background.push(ladders);

    await Promise.all([phase1, ladders]);
    progress.stage("thumbnails", 96);
    const [trickplay, posterKey] = await Promise.all([trickplayDone, posterDone]);

    // 6. The final master, then done.
    const renditions = sortBest([...published.values()]);
    const masterKey = await masters.publish(renditions, true);
    const audioOnly = renditions.some((r) => r.kind === "audio");
    reporter.done({ probe, renditions, masterKey, posterKey, trickplay, audioOnly });
    log.info("job done", { ...ctx, renditions: renditions.map((r) => r.name) });
    return { status: "done", renditions, masterKey, posterKey, trickplay, probe };
  } catch (err) {
    // The root cause, not the cancellations it triggered in the other phases.
    const failure = classify(firstError ?? err, external);
    fail(failure);
    log.warn("job failed", { ...ctx, reason: failure.message, retryable: failure.retryable });
    reporter.failed(failure.message, failure.retryable);
    return { status: "failed", reason: failure.message, retryable: failure.retryable };
  } finally {
    clearInterval(heartbeat);
    // Every ffmpeg and upload must have stopped before its files are removed.
    if (!internal.signal.aborted) internal.abort(new Error("job finished"));
    await Promise.allSettled(background);
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
    await reporter.flush();
  }
}
