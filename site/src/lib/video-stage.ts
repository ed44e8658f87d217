/**
 * Drives a `video-stage.astro` element for one video: polls the video while it is uploading
 * or transcoding, shows progress, attaches the player as soon as the video is playable, keeps
 * the delivery token fresh, and mirrors all of it in the wrapper's `data-state`.
 *
 * Polling is the transport for now; the WebSocket progress feed will replace `poll` here.
 */
import { ApiError, api, type VideoDto } from "./api.ts";
import { attachPlayer, autoplay, type PlayerHandle } from "./hls-player.ts";
import { summarizeStatus } from "./video-status.ts";

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
  pollIntervalMs?: number;
}

export interface VideoStage {
  stop(): void;
}

const POLL_MS = 1_500;
const POLL_WHILE_UPLOADING_MS = 5_000;
const MAX_POLL_BACKOFF_MS = 15_000;
/** Fetch a new delivery token this long before the current one expires. */
const TOKEN_REFRESH_LEAD_MS = 60_000;
/** Refused requests right after a fresh token mean something else is wrong: stop retrying. */
const MAX_TOKEN_REFRESHES_IN_A_ROW = 3;

const ACTIVE_STATUSES = new Set<VideoDto["status"]>(["uploading", "queued", "processing"]);

function part<T extends HTMLElement>(root: HTMLElement, role: string): T {
  const el = root.querySelector<T>(`[data-role="${role}"]`);
  if (!el) throw new Error(`video stage is missing [data-role="${role}"]`);
  return el;
}

export function mountVideoStage(
  root: HTMLElement,
  videoId: string,
  options: VideoStageOptions = {},
): VideoStage {
  const video = root.querySelector<HTMLVideoElement>("video")!;
  const frame = part(root, "frame");
  const overlay = part(root, "overlay");
  const spinner = part(root, "spinner");
  const icon = part(root, "icon");
  const headline = part(root, "headline");
  const detail = part(root, "detail");
  const progress = part(root, "progress");
  const progressFill = part(root, "progress-fill");
  const failure = part(root, "failure");
  const retry = part<HTMLButtonElement>(root, "retry");
  const home = part<HTMLAnchorElement>(root, "home");
  const strip = part(root, "strip");

  const lifetime = new AbortController();
  let latest: VideoDto | null = null;
  let player: PlayerHandle | null = null;
  let attaching: Promise<void> | null = null;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let tokenTimer: ReturnType<typeof setTimeout> | undefined;
  let failedPolls = 0;
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

  const startPlayer = (current: VideoDto) => {
    if (player || attaching || playbackBroken || !current.playback) return;
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

  const poll = async () => {
    if (lifetime.signal.aborted) return;
    try {
      apply(await api.getVideo(videoId, lifetime.signal));
      failedPolls = 0;
    } catch (err) {
      if (lifetime.signal.aborted) return;
      if (err instanceof ApiError && err.notFound) {
        setState("not-found");
        video.hidden = true;
        showOverlay({
          headline: "Video not found",
          detail: "It may have been deleted, or the link is wrong.",
          home: true,
        });
        options.onNotFound?.();
        return;
      }
      if (!latest) {
        // Nothing to show yet: say so and let the person retry.
        setState("error");
        showOverlay({
          headline: "Couldn't load this video",
          failure: err instanceof Error ? err.message : String(err),
          retry: true,
        });
        options.onLoadError?.(err);
        return;
      }
      failedPolls++;
    }
    if (latest && ACTIVE_STATUSES.has(latest.status)) {
      const base =
        latest.status === "uploading" ? POLL_WHILE_UPLOADING_MS : (options.pollIntervalMs ?? POLL_MS);
      const delay = Math.min(MAX_POLL_BACKOFF_MS, base * 2 ** failedPolls);
      pollTimer = setTimeout(poll, delay);
    }
  };

  retry.addEventListener("click", () => {
    setState("loading");
    showOverlay({ headline: "Loading video…", busy: true });
    void poll();
  });

  if (options.initial) {
    apply(options.initial);
    if (ACTIVE_STATUSES.has(options.initial.status)) {
      pollTimer = setTimeout(poll, options.pollIntervalMs ?? POLL_MS);
    }
  } else {
    void poll();
  }

  return {
    stop() {
      lifetime.abort();
      clearTimeout(pollTimer);
      clearTimeout(tokenTimer);
      player?.destroy();
      player = null;
    },
  };
}
