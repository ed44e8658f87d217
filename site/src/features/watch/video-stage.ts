/**
 * Drives a `video-stage.astro` element for one video: loads it, follows the transcode live
 * over the WebSocket feed (`live-progress.ts`) while it is uploading, queued or processing,
 * shows progress per rendition, attaches the player as soon as the video is playable, reloads
 * the player's qualities as more renditions are published, keeps the delivery token fresh,
 * and mirrors all of it in the wrapper's `data-state`. No page reload at any point.
 */
import { ApiError, api, type VideoDto } from "../../lib/api.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import {
  browserLiveProgressDeps,
  createLiveProgress,
  type LiveEvent,
  type LiveProgress,
  type LiveState,
} from "../../lib/live-progress.ts";
import { summarizeStatus } from "../../lib/video-status.ts";
import { attachPlayer, autoplay, type PlayerHandle } from "./hls-player.ts";
import { renderRenditionPanel } from "./rendition-panel.ts";
import { mountSeekPreview } from "./seek-preview.ts";

export type StageState = "loading" | "processing" | "waiting" | "playing" | "failed" | "not-found" | "error";

export interface VideoStageOptions {
  /** A copy of the video the page already has (skips the first request). */
  initial?: VideoDto;
  /** Called with every fresh copy of the video. */
  onVideo?: (video: VideoDto) => void;
  /** Called once when the video does not exist. */
  onNotFound?: () => void;
  /** Called when the video could not be loaded at all (the stage offers a retry). */
  onLoadError?: (error: unknown) => void;
}

export interface VideoStage {
  stop(): void;
}

/**
 * Renditions are published one after another within seconds: wait for a quiet moment, then
 * reload the player's master once rather than once per rung.
 */
const QUALITY_REFRESH_DEBOUNCE_MS = 1_000;
const MAX_QUALITY_REFRESH_RETRIES = 3;
/** Fetch a new delivery token this long before the current one expires. */
const TOKEN_REFRESH_LEAD_MS = 60_000;
/** Refused requests right after a fresh token mean something else is wrong: stop retrying. */
const MAX_TOKEN_REFRESHES_IN_A_ROW = 3;

const ACTIVE_STATUSES = new Set<VideoDto["status"]>(["uploading", "queued", "processing"]);

export function mountVideoStage(
  root: HTMLElement,
  videoId: string,
  options: VideoStageOptions = {},
): VideoStage {
  const $ = elementsOf(root, "video stage");
  const video = $("video", HTMLVideoElement);
  const frame = $(role("frame"));
  const overlay = $(role("overlay"));
  const spinner = $(role("spinner"));
  const icon = $(role("icon"));
  const headline = $(role("headline"));
  const detail = $(role("detail"));
  const progress = $(role("progress"));
  const progressFill = $(role("progress-fill"));
  const failure = $(role("failure"));
  const retry = $(role("retry"), HTMLButtonElement);
  const home = $(role("home"), HTMLAnchorElement);
  const strip = $(role("strip"));
  const livePanel = {
    panel: $(role("live-panel")),
    list: $(role("rendition-list"), HTMLOListElement),
    empty: $(role("rendition-empty")),
    pill: $(role("live-state")),
    pillText: $(role("live-state-text")),
  };

  const seek = mountSeekPreview(
    {
      root: $(role("seek")),
      track: $(role("seek-track")),
      played: $(role("seek-played")),
      marker: $(role("seek-marker")),
      tooltip: $(role("seek-tooltip")),
      thumb: $(role("seek-thumb")),
      thumbImage: $(role("seek-thumb-image")),
      time: $(role("seek-time")),
    },
    video,
    frame,
  );

  const lifetime = new AbortController();
  let latest: VideoDto | null = null;
  let player: PlayerHandle | null = null;
  let attaching: Promise<void> | null = null;
  let tokenTimer: ReturnType<typeof setTimeout> | undefined;
  let qualityTimer: ReturnType<typeof setTimeout> | undefined;
  let qualityFailures = 0;
  let live: LiveProgress | null = null;
  /** Video renditions in the master the player last loaded (more published → reload it). */
  let loadedRungs = 0;
  /** A GET for fresh playback is under way (the feed only says *that* the video is playable). */
  let fetchingPlayback = false;
  let tokenRefreshesInARow = 0;
  let hasPlayed = false;
  /** Set after a fatal playback error so later polls don't restart a broken player. */
  let playbackBroken = false;

  root.hidden = false;

  const setState = (state: StageState) => {
    root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "loading" || state === "processing"));
  };

  const showOverlay = (o: {
    headline: string;
    detail?: string;
    percent?: number | null;
    busy?: boolean;
    failure?: string;
    retry?: boolean;
    home?: boolean;
  }) => {
    overlay.hidden = false;
    spinner.hidden = !o.busy;
    icon.hidden = !!o.busy;
    headline.textContent = o.headline;
    detail.textContent = o.detail ?? "";
    detail.hidden = !o.detail;
    progress.hidden = o.percent === undefined;
    progress.classList.toggle("is-indeterminate", o.percent === null);
    if (typeof o.percent === "number") {
      progressFill.style.width = `${o.percent}%`;
      progress.setAttribute("role", "progressbar");
      progress.setAttribute("aria-label", o.headline);
      progress.setAttribute("aria-valuenow", String(Math.round(o.percent)));
      progress.setAttribute("aria-valuemin", "0");
      progress.setAttribute("aria-valuemax", "100");
    } else {
      progressFill.style.removeProperty("width");
      progress.removeAttribute("aria-valuenow");
    }
    failure.textContent = o.failure ?? "";
    failure.hidden = !o.failure;
    retry.hidden = !o.retry;
    home.hidden = !o.home;
  };

  const showFailure = (message: string, headlineText = "Processing failed") => {
    player?.destroy();
    player = null;
    video.hidden = true;
    strip.hidden = true;
    setState("failed");
    showOverlay({ headline: headlineText, failure: message });
  };

  const setPoster = (url: string | null) => {
    if (!url) return;
    if (video.poster !== new URL(url, location.href).href) video.poster = url;
    frame.style.backgroundImage = `url("${CSS.escape(url)}")`;
  };

  // Player lifecycle → data-state. "playing" sticks through pauses; a stall shows "waiting".
  video.addEventListener("playing", () => {
    hasPlayed = true;
    if (root.dataset.state !== "failed") setState("playing");
  });
  video.addEventListener("waiting", () => {
    if (root.dataset.state === "playing") setState("waiting");
  });
  video.addEventListener("canplay", () => {
    if (hasPlayed && root.dataset.state === "waiting" && !video.paused) setState("playing");
  });

  const refreshPlayback = async () => {
    if (lifetime.signal.aborted) return;
    try {
      const fresh = await api.getVideo(videoId, lifetime.signal);
      apply(fresh);
      if (fresh.playback) player?.updatePlayback(fresh.playback);
    } catch {
      // Transient: the next refresh (or the next refused request) tries again.
    }
    scheduleTokenRefresh();
  };

  const scheduleTokenRefresh = () => {
    clearTimeout(tokenTimer);
    const expiresAt = latest?.playback ? Date.parse(latest.playback.expiresAt) : Number.NaN;
    if (Number.isNaN(expiresAt)) return;
    const delay = Math.max(5_000, expiresAt - Date.now() - TOKEN_REFRESH_LEAD_MS);
    tokenTimer = setTimeout(refreshPlayback, delay);
  };

  const videoRungs = (v: VideoDto) => v.renditions.filter((r) => r.kind !== "audio").length;

  const startPlayer = (current: VideoDto) => {
    if (player || attaching || playbackBroken || !current.playback) return;
    loadedRungs = videoRungs(current);
    setState("waiting");
    overlay.hidden = true;
    video.hidden = false;
    attaching = attachPlayer(video, current.playback, {
      onFatal: (message) => {
        playbackBroken = true;
        showFailure(message, "Playback error");
      },
      onTokenRejected: () => {
        if (++tokenRefreshesInARow > MAX_TOKEN_REFRESHES_IN_A_ROW) {
          playbackBroken = true;
          showFailure("The video could not be loaded. Reload the page to try again.", "Playback error");
          return;
        }
        void refreshPlayback();
      },
    })
      .then((handle) => {
        if (lifetime.signal.aborted) return handle.destroy();
        player = handle;
        video.addEventListener("playing", () => {
          tokenRefreshesInARow = 0;
        });
        scheduleTokenRefresh();
        void autoplay(video);
      })
      .catch((err: unknown) => {
        playbackBroken = true;
        showFailure(err instanceof Error ? err.message : String(err), "Playback error");
      })
      .finally(() => {
        attaching = null;
      });
  };

  const apply = (current: VideoDto) => {
    latest = current;
    options.onVideo?.(current);
    setPoster(current.thumbnailUrl);
    // Previews come with the finished transcode; every fresh copy brings a fresh token.
    seek.setSource(current.playable ? (current.trickplayUrl ?? null) : null);
    const summary = summarizeStatus(current);

    if (current.status === "failed") {
      showFailure(summary.detail);
      return;
    }
    if (playbackBroken) return;
    if (current.playable && current.playback) {
      startPlayer(current);
      strip.hidden = current.status === "ready";
      if (current.status !== "ready") {
        const percent = summary.percent === null ? "" : ` · ${Math.floor(summary.percent)}%`;
        strip.textContent = `Still processing: ${summary.headline}${percent}. Higher qualities appear when they're ready.`;
      }
      return;
    }
    setState("processing");
    video.hidden = true;
    showOverlay({ headline: summary.headline, detail: summary.detail, percent: summary.percent, busy: true });
  };

  const showNotFound = () => {
    player?.destroy();
    player = null;
    setState("not-found");
    video.hidden = true;
    strip.hidden = true;
    livePanel.panel.hidden = true;
    showOverlay({
      headline: "Video not found",
      detail: "It may have been deleted, or the link is wrong.",
      home: true,
    });
    options.onNotFound?.();
  };

  // ---- qualities: the master playlist grows as renditions are published ---------------------

  const refreshQualities = async () => {
    qualityTimer = undefined;
    if (lifetime.signal.aborted || playbackBroken) return;
    if (attaching) {
      // The master being attached may predate the new rendition: look again once it is in.
      await attaching;
      return scheduleQualityRefresh();
    }
    let fresh: VideoDto;
    try {
      fresh = await api.getVideo(videoId, lifetime.signal);
      qualityFailures = 0;
    } catch {
      // After `ready` the feed is closed, so nothing else would ask again: retry a few times.
      if (!lifetime.signal.aborted && ++qualityFailures <= MAX_QUALITY_REFRESH_RETRIES)
        scheduleQualityRefresh();
      return;
    }
    apply(fresh);
    if (!player || !fresh.playback || videoRungs(fresh) <= loadedRungs) return;
    loadedRungs = videoRungs(fresh);
    player.reloadSource(fresh.playback);
    scheduleTokenRefresh();
  };

  const scheduleQualityRefresh = () => {
    clearTimeout(qualityTimer);
    qualityTimer = setTimeout(() => void refreshQualities(), QUALITY_REFRESH_DEBOUNCE_MS);
  };

  /** The feed says the video can be streamed; only the API hands out playback tokens. */
  const fetchPlayback = async () => {
    if (fetchingPlayback) return;
    fetchingPlayback = true;
    try {
      apply(await api.getVideo(videoId, lifetime.signal));
    } catch {
      // The next message (or the feed's resync) asks again.
    } finally {
      fetchingPlayback = false;
    }
  };

  // ---- live feed -------------------------------------------------------------------------------

  /** `latest` as the feed sees it: status, playability and whole-job progress from the socket. */
  const withLiveState = (current: VideoDto, state: Readonly<LiveState>): VideoDto => {
    const next: VideoDto = { ...current, status: state.status ?? current.status, playable: state.playable };
    if (state.failureReason) next.failureReason = state.failureReason;
    if (state.job) {
      const { type: _type, ...progress } = state.job;
      next.progress = { ...progress, updatedAt: new Date().toISOString() };
    } else {
      delete next.progress;
    }
    return next;
  };

  const onLive = (state: Readonly<LiveState>, event: LiveEvent) => {
    renderRenditionPanel(livePanel, state);
    livePanel.panel.hidden = state.terminal !== null || !ACTIVE_STATUSES.has(state.status ?? "processing");
    if (lifetime.signal.aborted) return;
    switch (event.type) {
      case "gone":
        showNotFound();
        return;
      case "video":
        apply(event.video);
        if (player && videoRungs(event.video) > loadedRungs) scheduleQualityRefresh();
        return;
      case "message": {
        if (!latest) return;
        const message = event.message;
        if (state.terminal === "ready") {
          // Final renditions, poster and a fresh token; then every quality in the player.
          void refreshQualities();
          return;
        }
        apply(withLiveState(latest, state));
        if (state.playable && !latest.playback && !player && !attaching) void fetchPlayback();
        // Also while the first playback is being fetched: that copy may predate this rendition.
        if (message.type === "rendition" && (player || attaching || fetchingPlayback))
          scheduleQualityRefresh();
        return;
      }
      default:
        return;
    }
  };

  const follow = (current: VideoDto) => {
    if (live || !ACTIVE_STATUSES.has(current.status)) return;
    live = createLiveProgress(videoId, browserLiveProgressDeps(), { initial: current });
    live.subscribe(onLive);
    live.start();
  };

  const load = async () => {
    if (lifetime.signal.aborted) return;
    try {
      const current = await api.getVideo(videoId, lifetime.signal);
      apply(current);
      follow(current);
    } catch (err) {
      if (lifetime.signal.aborted) return;
      if (err instanceof ApiError && err.notFound) {
        showNotFound();
        return;
      }
      // Nothing to show yet: say so and let the person retry.
      setState("error");
      showOverlay({
        headline: "Couldn't load this video",
        failure: err instanceof Error ? err.message : String(err),
        retry: true,
      });
      options.onLoadError?.(err);
    }
  };

  retry.addEventListener("click", () => {
    setState("loading");
    showOverlay({ headline: "Loading video…", busy: true });
    void load();
  });

  if (options.initial) {
    apply(options.initial);
    follow(options.initial);
  } else {
    void load();
  }

  return {
    stop() {
      lifetime.abort();
      live?.stop();
      seek.destroy();
      clearTimeout(qualityTimer);
      clearTimeout(tokenTimer);
      player?.destroy();
      player = null;
    },
  };
}
