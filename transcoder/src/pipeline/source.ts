/**
 * The source phases: check the size (an empty file fails at once) and the first bytes
 * and make room on disk, choose how ffmpeg
 * reads the source (a presigned URL while the local copy is not there yet, or the
 * downloaded file), and ffprobe it — rejecting what is not a video before any CPU is
 * spent on it.
 */
import { httpInputArgs } from "../ffmpeg/hls.ts";
import { looksLikeMediaContainer, type MediaInfo, probeFile } from "../ffmpeg/probe.ts";
import { errorMessage, log } from "../log.ts";
import { DEFAULT_LIMITS, ensureDiskSpace } from "../resources.ts";
import type { SourceHead } from "../storage.ts";
import { JobFailure } from "./failure.ts";
import type { JobRun, SourceCopy } from "./job-run.ts";

/** Presigned source URLs outlive the longest phase-1 encode. */
const SOURCE_URL_TTL_SEC = 6 * 60 * 60;
const HEAD_BYTES = 4096;

/** What ffmpeg reads: a presigned URL (with HTTP input options) or the local copy. */
export interface SourceInput {
  input: string;
  inputArgs: string[];
}

/** The size (nothing to do for an empty file), the first bytes (container sniffing) and room on disk. */
export async function checkSource(run: JobRun): Promise<{ head: SourceHead | null; bytes: number }> {
  const { storage, job } = run;
  const size = storage.sizeOf ? await storage.sizeOf(job.source.key, run.signal) : undefined;
  if (size === 0) throw emptyFile();
  const head = storage.readHead ? await storage.readHead(job.source.key, HEAD_BYTES, run.signal) : null;
  if (head?.size === 0 || (head && head.bytes.length === 0)) throw emptyFile();
  const bytes = size ?? head?.size ?? job.source.size;
  await ensureDiskSpace(run.deps.workDir, bytes, run.limits.diskHeadroom ?? DEFAULT_LIMITS.diskHeadroom);
  return { head, bytes };
}

function emptyFile(): JobFailure {
  return new JobFailure("the file is empty (0 bytes)", false, "empty_file");
}

/**
 * Streams when the first bytes are a container we know and storage can presign: on a
 * busy node the first rung must not share the CPU (and the storage) with a multi-GB
 * download, so the local copy waits until the video is playable.
 */
export async function openInput(
  run: JobRun,
  head: SourceHead | null,
  copy: SourceCopy,
): Promise<SourceInput> {
  const { storage } = run;
  const canStream = (run.deps.streamSource ?? true) && !!head && looksLikeMediaContainer(head.bytes);
  if (canStream && storage.presignGet) {
    return {
      input: await storage.presignGet(run.job.source.key, SOURCE_URL_TTL_SEC),
      inputArgs: httpInputArgs(),
    };
  }
  // Not a container we know (or no presigning): local file only, and probe decides.
  await copy.fetch();
  return { input: copy.file, inputArgs: [] };
}

/** ffprobe; over HTTP first, falling back to the downloaded file. */
export async function probeSource(
  run: JobRun,
  copy: SourceCopy,
  opened: SourceInput,
): Promise<{ media: MediaInfo; source: SourceInput }> {
  const { reporter, signal } = run;
  const { ffprobe } = run.deps.ffmpeg;
  const limits = run.runLimits("foreground");
  reporter.progress({ stage: "probe", percent: 10 });
  let source = opened;
  let media: MediaInfo;
  try {
    media = await probeFile(ffprobe, source.input, { signal, inputArgs: source.inputArgs, ...limits });
  } catch (err) {
    if (source.input === copy.file || signal.aborted) throw err;
    // Over HTTP ffprobe cannot tell "broken" from "not a video" by the first bytes:
    // decide on the downloaded file, which also gives the uploader the same reason.
    log.info("probe over URL failed; probing the downloaded file", { ...run.ids, error: errorMessage(err) });
    await copy.fetch();
    source = { input: copy.file, inputArgs: [] };
    media = await probeFile(ffprobe, copy.file, { signal, ...limits });
  }
  copy.markProbed();
  log.info("probed", {
    ...run.ids,
    ...media.probe,
    audioStream: media.audioStream,
    hdr: media.colour.hdr,
    vfr: media.variableFrameRate,
    streaming: source.input !== copy.file,
  });
  return { media, source };
}

/** The local copy, once playable (or once phase 1 is over, whichever comes first). */
export function fetchLocalCopy(copy: SourceCopy, playable: Promise<void>, firstRung: Promise<unknown>) {
  const fetched = Promise.race([playable, firstRung.then(() => {})]).then(() => copy.fetch());
  fetched.catch(() => {});
  return fetched;
}
