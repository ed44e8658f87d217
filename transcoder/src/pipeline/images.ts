/**
 * The pictures beside the video, both nice to have (a failure is logged, never fails the
 * video): trick-play sprites + WebVTT from the finished low rung (keyframes only: cheap),
 * and the poster from the local copy of the source.
 */
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { PosterSizeKey, Trickplay } from "@streamline/contracts";
import { INIT_FILE_PATTERN } from "../ffmpeg/hls.ts";
import { makePoster, POSTER_FILE } from "../ffmpeg/poster.ts";
import { jpegSize, makePosterSizes, posterSizesFor } from "../ffmpeg/poster-sizes.ts";
import { errorMessage, log } from "../log.ts";
import { runTimeoutMs } from "../resources.ts";
import { concatFragments, makeTrickplay, TRICKPLAY_DIR } from "../trickplay.ts";
import type { FirstRung } from "./first-rung.ts";
import type { EncodeContext } from "./plan.ts";

/** Trick-play from the low rung as soon as it is complete. */
export async function publishTrickplay(
  ctx: EncodeContext,
  firstRung: Promise<FirstRung>,
): Promise<Trickplay | undefined> {
  const low = await firstRung;
  try {
    return await makeAndUploadTrickplay(ctx, low);
  } catch (err) {
    if (ctx.run.signal.aborted) throw err;
    log.warn("trick-play failed", { ...ctx.run.ids, error: errorMessage(err) });
    return undefined;
  }
}

async function makeAndUploadTrickplay(ctx: EncodeContext, low: FirstRung): Promise<Trickplay> {
  const { run, plan } = ctx;
  const initName = (await readdir(low.dir)).find((f) => INIT_FILE_PATTERN.test(f));
  if (!initName) throw new Error("no init segment");
  const lowFile = join(run.workDir, "low.mp4");
  await concatFragments([join(low.dir, initName), ...low.segments.map((s) => join(low.dir, s))], lowFile);
  const outDir = join(run.workDir, TRICKPLAY_DIR);
  await mkdir(outDir);
  const made = await makeTrickplay({
    ffmpeg: run.deps.ffmpeg.ffmpeg,
    input: lowFile,
    keyframesOnly: true,
    outDir,
    durationSec: low.durationSec,
    width: plan.low.width,
    height: plan.low.height,
    threads: run.limits.threads,
    ...run.runLimits("foreground"),
    // The low rung's length is decoded fact, not a header's claim.
    timeoutMs: runTimeoutMs(low.durationSec, run.limits, plan.timeoutMs),
    signal: run.signal,
  });
  const prefix = `${run.job.outputPrefix}${TRICKPLAY_DIR}/`;
  const spriteKeys = made.spriteFiles.map((f) => `${prefix}${f.slice(f.lastIndexOf("/") + 1)}`);
  await run.storage.uploadAll(
    made.spriteFiles.map((file, i) => ({ file, key: spriteKeys[i] as string })),
    { concurrency: 4, signal: run.signal },
  );
  // The VTT last: it references the sheets.
  const vttKey = `${prefix}thumbnails.vtt`;
  await run.storage.upload(vttKey, made.vttFile, run.signal);
  return { vttKey, spriteKeys, intervalSec: made.intervalSec };
}

export interface PublishedPoster {
  key: string;
  /** The WebP widths (ADR 0033); empty when they could not be made (the JPEG still serves). */
  sizes: PosterSizeKey[];
}

/** Poster from the source once it is on disk, then its widths from that JPEG. */
export async function publishPoster(
  ctx: EncodeContext,
  localCopy: Promise<unknown>,
): Promise<PublishedPoster | null> {
  const { run, plan } = ctx;
  await localCopy;
  try {
    const posterFile = join(run.workDir, POSTER_FILE);
    await makePoster(run.deps.ffmpeg.ffmpeg, ctx.copy.file, posterFile, plan.probe.durationSec, {
      signal: run.signal,
      ...run.runLimits("foreground"),
    });
    const key = `${run.job.outputPrefix}${POSTER_FILE}`;
    await run.storage.upload(key, posterFile, run.signal);
    return { key, sizes: await publishPosterSizes(ctx, posterFile, "poster") };
  } catch (err) {
    if (run.signal.aborted) throw err;
    log.warn("poster failed", { ...run.ids, error: errorMessage(err) });
    return null;
  }
}

/** `poster-320.webp`, `poster-640.webp`, … beside the poster; [] (logged) when they fail. */
async function publishPosterSizes(ctx: EncodeContext, jpeg: string, name: string): Promise<PosterSizeKey[]> {
  const { run } = ctx;
  try {
    const limits = { signal: run.signal, ...run.runLimits("foreground") };
    const image = await jpegSize(run.deps.ffmpeg.ffprobe, jpeg, limits);
    const outputs = posterSizesFor(image.width, image.height).map((s) => ({
      ...s,
      file: join(run.workDir, `${name}-${s.width}.webp`),
    }));
    await makePosterSizes(run.deps.ffmpeg.ffmpeg, jpeg, outputs, limits);
    const sizes = outputs.map((o) => ({
      key: `${run.job.outputPrefix}${name}-${o.width}.webp`,
      width: o.width,
      height: o.height,
    }));
    await run.storage.uploadAll(
      outputs.map((o, i) => ({ file: o.file, key: sizes[i]!.key })),
      { concurrency: 3, signal: run.signal },
    );
    return sizes;
  } catch (err) {
    if (run.signal.aborted) throw err;
    log.warn("poster sizes failed", { ...run.ids, error: errorMessage(err) });
    return [];
  }
}
