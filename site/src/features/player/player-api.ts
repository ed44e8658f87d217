/**
 * What a page holds of a mounted player (`mountVideoStage(...).player`): seek, play, pause,
 * theater, and the events pages need (autoplay-next on `ended`, `?t=` sharing on `timeupdate`,
 * layout on `theaterchange`). A seek before the media can take it waits for its metadata.
 * The contract is written for the other pages in /work/coord/player-api.md and the ADR 0018.
 */
import type { Controls } from "./controls.ts";

export type PlayerEventType =
  | "timeupdate"
  | "play"
  | "pause"
  | "ended"
  | "seeked"
  | "ratechange"
  | "theaterchange"
  | "qualitychange";

export interface PlayerSnapshot {
  currentTime: number;
  duration: number;
  paused: boolean;
  theater: boolean;
}

export interface PlayerApi {
  readonly video: HTMLVideoElement;
  readonly currentTime: number;
  readonly theater: boolean;
  seek(seconds: number, options?: { play?: boolean }): void;
  play(): Promise<void>;
  pause(): void;
  setTheater(on: boolean): void;
  /** Returns the unsubscribe. */
  on(type: PlayerEventType, fn: (snapshot: PlayerSnapshot) => void): () => void;
}

const MEDIA_EVENTS = new Set<PlayerEventType>([
  "timeupdate",
  "play",
  "pause",
  "ended",
  "seeked",
  "ratechange",
]);

/** Seeks once the media has metadata (before that, `currentTime` is not kept by every engine). */
export function seekWhenReady(video: HTMLVideoElement, seconds: number, play: boolean): void {
  const go = () => {
    video.currentTime = Math.max(0, seconds);
    if (play) void video.play().catch(() => undefined);
  };
  if (video.readyState >= HTMLMediaElement.HAVE_METADATA) go();
  else video.addEventListener("loadedmetadata", go, { once: true });
}

export function createPlayerApi(
  root: HTMLElement,
  video: HTMLVideoElement,
  controls: () => Controls | null,
): PlayerApi {
  const snapshot = (): PlayerSnapshot => ({
    currentTime: video.currentTime,
    duration: Number.isFinite(video.duration) ? video.duration : 0,
    paused: video.paused,
    theater: controls()?.theater ?? false,
  });
  return {
    video,
    get currentTime() {
      return video.currentTime;
    },
    get theater() {
      return controls()?.theater ?? false;
    },
    seek(seconds, options = {}) {
      seekWhenReady(video, seconds, options.play ?? false);
    },
    play: () => video.play(),
    pause: () => video.pause(),
    setTheater: (on) => controls()?.setTheater(on),
    on(type, fn) {
      const listener = () => fn(snapshot());
      const target: EventTarget = MEDIA_EVENTS.has(type) ? video : root;
      const name = MEDIA_EVENTS.has(type) ? type : `player:${type}`;
      target.addEventListener(name, listener);
      return () => target.removeEventListener(name, listener);
    },
  };
}
