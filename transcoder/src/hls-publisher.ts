/**
 * Publishes the HLS outputs of one ffmpeg run to storage: per output folder (a rung or
 * the audio rendition) the init segment, every finished media segment, then OUR media
 * playlist listing only what is already stored.
 *
 * Live mode (`start()` … `finish()`): polls the folders while ffmpeg runs. ffmpeg writes
 * a segment file completely, closes it, and only then rewrites its playlist (EVENT
 * playlists through a temp file + rename), so a segment listed in ffmpeg's playlist is
 * safe to upload. After each round that stored something new, `onRound` runs (phase 1,
 * pipeline/first-rung.ts, uses it to publish the first master once enough is stored). `finish(true)` does a last
 * round and appends `#EXT-X-ENDLIST`.
 *
 * One-shot mode (`finish(true)` without `start()`): a rung encoded to completion.
 *
 * Order per output and round: init → segments → playlist, so a player never sees a
 * playlist entry whose object is missing.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { INIT_FILE_PATTERN, INIT_SEGMENT, MEDIA_PLAYLIST, SEGMENT_FILE_PATTERN } from "./ffmpeg/hls.ts";
import {
  type MeasuredBandwidth,
  type MediaSegment,
  measureBandwidth,
  parseMediaPlaylist,
  writeMediaPlaylist,
} from "./master-playlist.ts";
import { mapLimit, type ObjectStorage } from "./storage.ts";

export interface PublishedOutput {
  name: string;
  /** Segments stored so far, in order. */
  segments: MediaSegment[];
  /** Byte sizes aligned with `segments`. */
  sizes: number[];
  initBytes: number;
  /** `#EXT-X-ENDLIST` is published. */
  complete: boolean;
  /** Seconds of media stored. */
  durationSec: number;
}

export interface HlsPublisherOptions {
  storage: ObjectStorage;
  /** The ffmpeg run's cwd: output folders live directly below it. */
  outDir: string;
  /** Output folder names (rung names, "audio"). Stored under `${keyPrefix}${name}/`. */
  outputs: readonly string[];
  keyPrefix: string;
  /** EVENT for a live run, VOD for one-shot publishing of complete output. */
  playlistType: "EVENT" | "VOD";
  segmentSeconds: number;
  signal?: AbortSignal | undefined;
  pollMs?: number;
  concurrency?: number;
  /** After every live round that stored something new. Errors fail the publisher. */
  onRound?: (state: readonly PublishedOutput[]) => Promise<void> | void;
}

type LiveOutput = PublishedOutput & { initUploaded: boolean };

export class HlsPublisher {
  private readonly opts: HlsPublisherOptions;
  private readonly state: Map<string, LiveOutput>;
  private loop: Promise<void> | null = null;
  private stopped = false;
  private readonly stopSignal = new AbortController();
  private failure: unknown = null;
  private failed: Promise<never>;
  private rejectFailed: (err: unknown) => void = () => {};
  private livePolls = 0;

  constructor(opts: HlsPublisherOptions) {
    this.opts = opts;
    this.state = new Map(
      opts.outputs.map((name) => [
        name,
        { name, segments: [], sizes: [], initBytes: 0, complete: false, durationSec: 0, initUploaded: false },
      ]),
    );
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    // Observed through `failed`/`finish()`; never an unhandled rejection on its own.
    this.failed.catch(() => {});
  }

  /** Rejects as soon as a live round fails (race it against the ffmpeg run). */
  get failedPromise(): Promise<never> {
    return this.failed;
  }

  /** Live rounds completed so far, whether or not they found anything new (logs, tests). */
  get polls(): number {
    return this.livePolls;
  }

  snapshot(): PublishedOutput[] {
    return [...this.state.values()].map(({ initUploaded: _, ...o }) => ({
      ...o,
      segments: [...o.segments],
      sizes: [...o.sizes],
    }));
  }

  /** Starts polling the output folders. */
  start(): void {
    if (this.loop) return;
    const pollMs = this.opts.pollMs ?? 250;
    this.loop = (async () => {
      while (!this.stopped && !this.opts.signal?.aborted) {
        try {
          const changed = await this.round(false);
          this.livePolls += 1;
          if (changed) await this.opts.onRound?.(this.snapshot());
        } catch (err) {
          this.failure = err;
          this.rejectFailed(err);
          return;
        }
        // Cut short by stop()/finish(): the loop then ends (an AbortError is the expected way out).
        await delay(pollMs, undefined, { signal: this.stopSignal.signal }).catch(() => {});
      }
    })();
  }

  /**
   * Stops polling and publishes what is left. `complete`: ffmpeg finished successfully,
   * so playlists get `#EXT-X-ENDLIST`. Throws the first publishing error.
   */
  async finish(complete: boolean): Promise<PublishedOutput[]> {
    this.stopped = true;
    this.stopSignal.abort();
    await this.loop;
    if (this.failure) throw this.failure;
    if (complete) await this.round(true);
    return this.snapshot();
  }

  /** Stops polling without publishing anything more (failure paths). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopSignal.abort();
    await this.loop?.catch(() => {});
  }

  /** One pass over every output; true when something new was stored. */
  private async round(final: boolean): Promise<boolean> {
    let changed = false;
    for (const out of this.state.values()) {
      if (out.complete) continue;
      if (await this.publishOutput(out, final)) changed = true;
    }
    return changed;
  }

  /** Init (once) → the new segments → our playlist; false when there was nothing new. */
  private async publishOutput(out: LiveOutput, final: boolean): Promise<boolean> {
    const dir = join(this.opts.outDir, out.name);
    const fresh = await this.freshSegments(out, dir, final);
    if (fresh === null) return false;
    if (!out.initUploaded) await this.uploadInit(out, dir);
    const sizes = await Promise.all(fresh.map(async (s) => (await stat(join(dir, s.uri))).size));
    await mapLimit(fresh, this.opts.concurrency ?? 4, (s) =>
      this.opts.storage.upload(this.key(out.name, s.uri), join(dir, s.uri), this.opts.signal),
    );
    out.segments.push(...fresh);
    out.sizes.push(...sizes);
    out.durationSec = out.segments.reduce((t, s) => t + s.durationSec, 0);
    out.complete = final;
    await this.opts.storage.putText(
      this.key(out.name, MEDIA_PLAYLIST),
      writeMediaPlaylist({
        type: this.opts.playlistType,
        segments: out.segments,
        segmentSeconds: this.opts.segmentSeconds,
        complete: final,
        mapUri: INIT_SEGMENT,
      }),
      this.opts.signal,
    );
    return true;
  }

  /**
   * Segments ffmpeg has finished that are not stored yet; null = nothing to do this
   * round. On the final round ffmpeg must have finished the playlist.
   */
  private async freshSegments(out: LiveOutput, dir: string, final: boolean): Promise<MediaSegment[] | null> {
    const text = await readFile(join(dir, MEDIA_PLAYLIST), "utf8").catch(() => null);
    // Not written yet, or caught mid-write by a non-atomic writer: next round.
    if (text === null || !text.endsWith("\n")) {
      if (final) throw new Error(`ffmpeg wrote no finished playlist for ${out.name}`);
      return null;
    }
    const playlist = parseMediaPlaylist(text);
    const fresh = playlist.segments.slice(out.segments.length);
    for (const seg of fresh) {
      if (!SEGMENT_FILE_PATTERN.test(seg.uri)) throw new Error(`unexpected segment name ${seg.uri}`);
    }
    if (final && !playlist.endList) throw new Error(`ffmpeg did not finish the playlist of ${out.name}`);
    if (fresh.length === 0 && !final) return null;
    if (playlist.segments.length === 0) throw new Error(`ffmpeg produced no segments for ${out.name}`);
    return fresh;
  }

  private async uploadInit(out: LiveOutput, dir: string): Promise<void> {
    const init = (await readdir(dir)).find((f) => INIT_FILE_PATTERN.test(f));
    if (!init) throw new Error(`ffmpeg produced no init segment for ${out.name}`);
    out.initBytes = (await stat(join(dir, init))).size;
    await this.opts.storage.upload(this.key(out.name, INIT_SEGMENT), join(dir, init), this.opts.signal);
    out.initUploaded = true;
  }

  private key(output: string, file: string): string {
    return `${this.opts.keyPrefix}${output}/${file}`;
  }
}

/** BANDWIDTH/AVERAGE-BANDWIDTH of what an output has stored so far. */
export function measureOutput(out: PublishedOutput, segmentSeconds: number): MeasuredBandwidth {
  return measureBandwidth(
    { segments: out.segments, targetDurationSec: segmentSeconds },
    out.sizes,
    out.initBytes,
  );
}
