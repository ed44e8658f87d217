/**
 * The stage's re-reads of the video (only the API hands out playback tokens; the feed only
 * says *that* something changed): a debounced quality refresh once renditions are published,
 * the first playback once the feed says the video streams, and a fresh token on request.
 * Each ends in a stage event carrying the fresh copy.
 */
import { api, type VideoDto } from "../../lib/api.ts";
import type { StageEvent } from "./video-stage-machine.ts";

/**
 * Renditions are published one after another within seconds: wait for a quiet moment, then
 * reload the player's master once rather than once per rung.
 */
const QUALITY_REFRESH_DEBOUNCE_MS = 1_000;
const MAX_QUALITY_REFRESH_RETRIES = 3;

export interface StageRefreshDeps {
  videoId: string;
  lifetime: AbortSignal;
  dispatch(event: StageEvent): void;
  /** The attach under way, if any: its master may predate the new rendition. */
  attaching(): Promise<void> | null;
  /** A playback error: never restart a broken player. */
  broken(): boolean;
}

export interface StageRefresh {
  readonly fetchingPlayback: boolean;
  scheduleQualities(): void;
  refreshQualities(): Promise<void>;
  fetchPlayback(): Promise<void>;
  refreshPlayback(): Promise<void>;
  stop(): void;
}

export function createStageRefresh(deps: StageRefreshDeps): StageRefresh {
  const { videoId, lifetime, dispatch } = deps;
  let qualityTimer: ReturnType<typeof setTimeout> | undefined;
  let qualityFailures = 0;
  let fetchingPlayback = false;
  const read = (): Promise<VideoDto> => api.getVideo(videoId, lifetime);

  const scheduleQualities = () => {
    clearTimeout(qualityTimer);
    qualityTimer = setTimeout(() => void refreshQualities(), QUALITY_REFRESH_DEBOUNCE_MS);
  };

  const refreshQualities = async () => {
    qualityTimer = undefined;
    if (lifetime.aborted || deps.broken()) return;
    const attaching = deps.attaching();
    if (attaching) {
      await attaching;
      return scheduleQualities();
    }
    let fresh: VideoDto;
    try {
      fresh = await read();
      qualityFailures = 0;
    } catch {
      // After `ready` the feed is closed, so nothing else would ask again: retry a few times.
      if (!lifetime.aborted && ++qualityFailures <= MAX_QUALITY_REFRESH_RETRIES) scheduleQualities();
      return;
    }
    dispatch({ type: "qualities", video: fresh });
  };

  const fetchPlayback = async () => {
    if (fetchingPlayback) return;
    fetchingPlayback = true;
    try {
      dispatch({ type: "video", video: await read() });
    } catch {
      // The next message (or the feed's resync) asks again.
    } finally {
      fetchingPlayback = false;
    }
  };

  const refreshPlayback = async () => {
    if (lifetime.aborted) return;
    try {
      dispatch({ type: "playback", video: await read() });
    } catch {
      // Transient: the next refresh (or the next refused request) tries again.
      dispatch({ type: "playback-unavailable" });
    }
  };

  return {
    get fetchingPlayback() {
      return fetchingPlayback;
    },
    scheduleQualities,
    refreshQualities,
    fetchPlayback,
    refreshPlayback,
    stop: () => clearTimeout(qualityTimer),
  };
}
