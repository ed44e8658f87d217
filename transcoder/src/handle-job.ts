/**
 * The transcode pipeline for one job attempt, with every dependency injected (storage,
 * reporter, ffmpeg binaries, work dir, limits). Progressive (docs/adr/0006); each phase
 * is a function in `pipeline/`, and `handleJob` below reads as the pipeline:
 *
 *   checkSource    size (empty: fail at once), first bytes, room on disk
 *   openInput      a presigned URL (the local copy waits until the video is playable),
 *                  or the downloaded file
 *   probeSource    ffprobe: reject what is not a video
 *   enforceCaps    pixels, frame rate, duration (verified against the content, not the header)
 *   streamFirstRung  phase 1: ONE fast ffmpeg for the lowest rung + the shared AAC,
 *                  published segment by segment; playable after a few segments
 *   publishTrickplay sprites + WebVTT from the finished low rung
 *   fetchLocalCopy the download, once playable
 *   publishPoster  the poster from the local copy
 *   encodeLadders  phases 2 and 3: ONE ffmpeg (decode once → split) per ladder (the
 *                  other H.264 rungs, then HEVC/AV1), published rung by rung
 *   finish         the final `master.m3u8` → `done`
 *
 * Never throws: every outcome is reported to the edge and returned. Child processes are
 * stopped and the temp dir removed on every exit path.
 */
import { join } from "node:path";
import {
  type FailureCode,
  type PosterSizeKey,
  type ProbeResult,
  type Rendition,
  sanitizeFailureDetail,
  type TranscodeJobV1,
  type Trickplay,
} from "@streamline/contracts";
import { errorMessage, log } from "./log.ts";
import { recordFailure } from "./metrics.ts";
import { enforceCaps } from "./pipeline/caps.ts";
import { classifyFailure } from "./pipeline/failure.ts";
import { streamFirstRung } from "./pipeline/first-rung.ts";
import { type PublishedPoster, publishPoster, publishTrickplay } from "./pipeline/images.ts";
import { type HandleJobDeps, JobRun, SourceCopy } from "./pipeline/job-run.ts";
import { encodeLadders } from "./pipeline/ladders.ts";
import { type EncodeContext, encodeContext } from "./pipeline/plan.ts";
import { checkSource, fetchLocalCopy, openInput, probeSource } from "./pipeline/source.ts";
import { InsufficientDiskError, scratchDiskFull } from "./resources.ts";

export type JobOutcome =
  | {
      status: "done";
      renditions: Rendition[];
      masterKey: string;
      posterKey: string | null;
      posterSizes: PosterSizeKey[];
      trickplay: Trickplay | undefined;
      probe: ProbeResult;
    }
  | { status: "failed"; reason: string; code?: FailureCode; retryable: boolean };

export async function handleJob(job: TranscodeJobV1, deps: HandleJobDeps): Promise<JobOutcome> {
  const run = new JobRun(job, deps);
  const stopHeartbeat = run.startHeartbeat();
  try {
    const workDir = await run.openWorkDir();
    const { head, bytes } = await checkSource(run);
    const copy = new SourceCopy(run, join(workDir, "source"), bytes);
    const probed = await probeSource(run, copy, await openInput(run, head, copy));
    const durationKnown = await enforceCaps(run, probed.media, probed.source);
    run.reporter.probed(probed.media.probe);
    const ctx = encodeContext(run, copy, probed, durationKnown);

    const playable = deferred();
    const firstRung = run.inBackground(streamFirstRung(ctx, playable.resolve), "fails-job");
    const trickplay = run.inBackground(publishTrickplay(ctx, firstRung), "optional");
    const localCopy = fetchLocalCopy(copy, playable.promise, firstRung);
    const poster = run.inBackground(publishPoster(ctx, localCopy), "optional");
    const ladders = run.inBackground(encodeLadders(ctx, localCopy, firstRung), "fails-job");

    await Promise.all([firstRung, ladders]);
    return await finish(ctx, trickplay, poster);
  } catch (err) {
    return reportFailure(run, await diskFullOr(run, err));
  } finally {
    stopHeartbeat();
    await run.close();
  }
}

/** Every phase is over: the final master, then `done`. */
async function finish(
  ctx: EncodeContext,
  trickplayDone: Promise<Trickplay | undefined>,
  posterDone: Promise<PublishedPoster | null>,
): Promise<JobOutcome> {
  const { run, plan } = ctx;
  ctx.progress.stage("thumbnails", 96);
  const [trickplay, poster] = await Promise.all([trickplayDone, posterDone]);
  const { renditions, masterKey } = await ctx.renditions.publishFinal();
  const audioOnly = renditions.some((r) => r.kind === "audio");
  const { probe } = plan;
  const posterKey = poster?.key ?? null;
  const posterSizes = poster?.sizes ?? [];
  run.reporter.done({ probe, renditions, masterKey, posterKey, posterSizes, trickplay, audioOnly });
  log.info("job done", { ...run.ids, renditions: renditions.map((r) => r.name) });
  return { status: "done", renditions, masterKey, posterKey, posterSizes, trickplay, probe };
}

/**
 * The failure as reported: the disk filling up (checked before the temp dir goes) explains a
 * failure better than what the writer that hit it said; a cancel or shutdown stays what it is.
 */
async function diskFullOr(run: JobRun, err: unknown): Promise<unknown> {
  if (run.deps.signal?.aborted || !(await scratchDiskFull(run.deps.workDir))) return err;
  const said = errorMessage(run.rootCause(err));
  log.warn("scratch disk full", { ...run.ids, workDir: run.deps.workDir, error: said });
  return new InsufficientDiskError("the scratch disk of this transcoder node filled up during the job");
}

function reportFailure(run: JobRun, err: unknown): JobOutcome {
  // The root cause, not the cancellations it triggered in the other phases (a full disk is
  // the cause of whatever failed first).
  const raw = err instanceof InsufficientDiskError ? err : run.rootCause(err);
  const failure = classifyFailure(raw, run.deps.signal);
  run.fail(failure);
  recordFailure(failure.code);
  // The raw error (stderr tail, URLs) is for this log only; the edge gets code + detail.
  log.warn("job failed", {
    ...run.ids,
    code: failure.code,
    reason: failure.message,
    retryable: failure.retryable,
    ...(raw !== failure ? { error: errorMessage(raw) } : {}),
  });
  const reason = sanitizeFailureDetail(failure.message);
  run.reporter.failed(reason, failure.retryable, failure.code);
  return { status: "failed", reason, code: failure.code, retryable: failure.retryable };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
