/**
 * The renditions a job has published and the masters that list them. Every master is a
 * NEW object (`master-<n>.m3u8`, finally `master.m3u8`) and each `rendition` event
 * carries its key: the edge switches its pointer only to complete objects, so players
 * never read a half-written master.
 */
import type { Rendition } from "@streamline/contracts";
import type { JobReporter } from "../events.ts";
import { MEDIA_PLAYLIST } from "../ffmpeg/hls.ts";
import { AAC_LC_CODEC, AUDIO_RENDITION_NAME, type Rung } from "../ladder.ts";
import { writeMasterPlaylist } from "../master-playlist.ts";
import type { ObjectStorage } from "../storage.ts";

interface Measured {
  peak: number;
  average: number;
}

export function audioRendition(measured: Measured): Rendition {
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
export function videoRendition(
  rung: Rung,
  videoCodec: string,
  video: Measured,
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

const FAMILIES = ["avc1", "hvc1", "av01"];

/** As the edge lists them: H.264 best first, then each extra codec ladder, audio last. */
export function sortBest(renditions: readonly Rendition[]): Rendition[] {
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

export class RenditionPublisher {
  private readonly published = new Map<string, Rendition>();
  private masters = 0;
  private readonly storage: ObjectStorage;
  private readonly reporter: JobReporter;
  private readonly prefix: string;
  private readonly signal: AbortSignal;

  constructor(storage: ObjectStorage, reporter: JobReporter, prefix: string, signal: AbortSignal) {
    this.storage = storage;
    this.reporter = reporter;
    this.prefix = prefix;
    this.signal = signal;
  }

  /** A new master with `items` added, then their `rendition` events pointing at it. */
  async publish(items: readonly Rendition[]): Promise<string> {
    for (const r of items) this.published.set(r.name, r);
    const masterKey = await this.putMaster([...this.published.values()], false);
    for (const r of items) this.reporter.rendition(r, masterKey);
    return masterKey;
  }

  /** Measured figures replace provisional ones; they show in the next master. */
  update(items: readonly Rendition[]): void {
    for (const r of items) this.published.set(r.name, r);
  }

  /** `master.m3u8` with everything, best first. */
  async publishFinal(): Promise<{ renditions: Rendition[]; masterKey: string }> {
    const renditions = sortBest([...this.published.values()]);
    return { renditions, masterKey: await this.putMaster(renditions, true) };
  }

  private async putMaster(renditions: readonly Rendition[], final: boolean): Promise<string> {
    this.masters += 1;
    const key = final ? `${this.prefix}master.m3u8` : `${this.prefix}master-${this.masters}.m3u8`;
    await this.storage.putText(key, writeMasterPlaylist(renditions), this.signal);
    return key;
  }
}
