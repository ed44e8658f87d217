/**
 * Drives a `video-stage.astro` element for one video: loads it, follows the transcode live
 * over the WebSocket feed (`live-progress.ts`) while it is uploading, queued or processing,
 * shows progress per rendition, attaches the player as soon as the video is playable, reloads
 * the player's qualities as more renditions are published, keeps the delivery token fresh,
 * and mirrors all of it in the wrapper's `data-state`. No page reload at any point.
 *
 * What the stage shows is decided by the pure `video-stage-machine.ts`; this module turns DOM,
 * player, feed and API happenings into its events, runs the effects it returns and renders.
 */
import { ApiError, api, type VideoDto } from "../../lib/api.ts";
import {
  browserLiveProgressDeps,
  createLiveProgress,
  type LiveEvent,
  type LiveProgress,
  type LiveState,
} from "../../lib/live-progress.ts";
import { type Controls, mountControls, type ShortcutScope } from "../player/controls.ts";
import { createPlayerApi, type PlayerApi } from "../player/player-api.ts";
import { frameRateOf } from "./frame-rate.ts";
import type { PlayerHandle } from "./hls-player.ts";
import { renderRenditionPanel } from "./rendition-panel.ts";
import { mountSeekPreview, type SeekPreview } from "./seek-preview.ts";
import { createStagePlayer, type StagePlayer } from "./stage-player.ts";
import { createStageRefresh, type StageRefresh } from "./stage-refresh.ts";
import { renderPoster, renderStage, type StageElements, stageElements } from "./stage-view.ts";
import {
  initialStage,
  type StageEvent,
  type StageState,
  stageReducer,
  stageView,
  videoRungs,
} from "./video-stage-machine.ts";

export interface VideoStageOptions {
  /** A copy of the video the page already has (skips the first request). */
  initial?: VideoDto;
  /**
   * `initial` is the anonymous copy the server rendered into the page: the player starts on it at
   * once, and the viewer's own copy (view token, resume point, owner fields) is read beside it.
   */
  viewerCopy?: boolean;
  /** Called with every fresh copy of the video. */
  onVideo?: (video: VideoDto) => void;
  /** Called once when the video does not exist. */
  onNotFound?: () => void;
  /** Called when the video could not be loaded at all (the stage offers a retry). */
  onLoadError?: (error: unknown) => void;
  /** Start here, seconds (`?t=`, an embed's `start`): hls.js loads from there. */
  startAt?: number | null;
  /** Play once attached (default true; muted when the browser refuses sound). */
  autoplay?: boolean;
  /** Start muted (embeds with `muted=1`). */
  muted?: boolean;
  /** Where the YouTube keys act: the whole page (default; never while typing), only inside the player, or nowhere. */
  shortcuts?: ShortcutScope;
}

export interface VideoStage {
  /** Seek, play, pause, theater and events: see `player/player-api.ts`. */
  readonly player: PlayerApi;
  stop(): void;
}

const ACTIVE_STATUSES = new Set<VideoDto["status"]>(["uploading", "queued", "processing"]);

/** Everything one mounted stage holds; the functions below each do one job over it. */
interface Stage {
  videoId: string;
  options: VideoStageOptions;
  el: StageElements;
  lifetime: AbortController;
  state: StageState;
  seek: SeekPreview;
  player: StagePlayer;
  refresh: StageRefresh;
  live: LiveProgress | null;
  controls: Controls | null;
  /** The attached player (its levels give the frame rate), null before and after. */
  handle: PlayerHandle | null;
}

function dispatch(stage: Stage, event: StageEvent): void {
  if (stage.lifetime.signal.aborted) return;
  if ("video" in event) {
    const video = event.video;
    stage.options.onVideo?.(video);
    renderPoster(stage.el, video.thumbnailUrl);
    // Previews come with the finished transcode; every fresh copy brings a fresh token.
    stage.seek.setSource(video.playable ? (video.trickplayUrl ?? null) : null);
    stage.seek.setChapters(video.chapters ?? []);
  }
  const entered = event.type === "gone" && stage.state.phase !== "not-found";
  const { state, effects } = stageReducer(stage.state, event);
  stage.state = state;
  renderStage(stage.el, stageView(state));
  for (const effect of effects) {
    if (effect.type === "load") void load(stage);
    else if (effect.type === "refresh-playback") void stage.refresh.refreshPlayback();
    else stage.player.run(effect);
  }
  if (entered) stage.options.onNotFound?.();
}

/** `latest` as the feed sees it: status, playability and whole-job progress from the socket. */
function withLiveState(current: VideoDto, live: Readonly<LiveState>): VideoDto {
  const next: VideoDto = { ...current, status: live.status ?? current.status, playable: live.playable };
  if (live.failureReason) next.failureReason = live.failureReason;
  if (live.job) {
    const { type: _type, ...progress } = live.job;
    next.progress = { ...progress, updatedAt: new Date().toISOString() };
  } else {
    delete next.progress;
  }
  return next;
}

/** A feed message: show it, then fetch the first playback or new qualities when it calls for one. */
function onLiveMessage(
  stage: Stage,
  live: Readonly<LiveState>,
  message: LiveEvent & { type: "message" },
): void {
  const latest = stage.state.video;
  if (!latest) return;
  if (live.terminal === "ready") {
    // Final renditions, poster and a fresh token; then every quality in the player.
    void stage.refresh.refreshQualities();
    return;
  }
  dispatch(stage, { type: "video", video: withLiveState(latest, live) });
  const { player, video } = stage.state;
  if (live.playable && !video?.playback && player === "none") void stage.refresh.fetchPlayback();
  // Also while the first playback is being fetched: that copy may predate this rendition.
  if (message.message.type === "rendition" && (player !== "none" || stage.refresh.fetchingPlayback)) {
    stage.refresh.scheduleQualities();
  }
}

function onLive(stage: Stage, live: Readonly<LiveState>, event: LiveEvent): void {
  renderRenditionPanel(stage.el.livePanel, live);
  stage.el.livePanel.panel.hidden =
    live.terminal !== null || !ACTIVE_STATUSES.has(live.status ?? "processing");
  if (stage.lifetime.signal.aborted) return;
  if (event.type === "gone") dispatch(stage, { type: "gone" });
  else if (event.type === "message") onLiveMessage(stage, live, event);
  else if (event.type === "video") {
    dispatch(stage, { type: "video", video: event.video });
    const grew = videoRungs(event.video) > stage.state.loadedRungs;
    if (stage.state.player === "attached" && grew) stage.refresh.scheduleQualities();
  }
}

function follow(stage: Stage, current: VideoDto): void {
  if (stage.live || !ACTIVE_STATUSES.has(current.status)) return;
  stage.live = createLiveProgress(stage.videoId, browserLiveProgressDeps(), { initial: current });
  stage.live.subscribe((live, event) => onLive(stage, live, event));
  stage.live.start();
}

async function load(stage: Stage): Promise<void> {
  const { signal } = stage.lifetime;
  if (signal.aborted) return;
  try {
    const current = await api.getVideo(stage.videoId, signal);
    dispatch(stage, { type: "video", video: current });
    follow(stage, current);
  } catch (err) {
    if (signal.aborted) return;
    if (err instanceof ApiError && err.notFound) return dispatch(stage, { type: "gone" });
    // Nothing to show yet: say so and let the person retry.
    dispatch(stage, { type: "load-failed", message: err instanceof Error ? err.message : String(err) });
    stage.options.onLoadError?.(err);
  }
}

/** The viewer's copy beside a server-rendered one: it only adds to what already plays. */
async function loadViewerCopy(stage: Stage): Promise<void> {
  const { signal } = stage.lifetime;
  try {
    const current = await api.getVideo(stage.videoId, signal);
    dispatch(stage, { type: "video", video: current });
    follow(stage, current);
  } catch (err) {
    if (!signal.aborted && err instanceof ApiError && err.notFound) dispatch(stage, { type: "gone" });
  }
}

/** The first copy: the page's (then, for a server-rendered one, the viewer's beside it), or the API's. */
function start(stage: Stage): void {
  const { initial, viewerCopy } = stage.options;
  if (!initial) return void load(stage);
  dispatch(stage, { type: "video", video: initial });
  if (viewerCopy) void loadViewerCopy(stage);
  else follow(stage, initial);
}

/** Player lifecycle → events. "playing" sticks through pauses; a stall shows "waiting". */
function listenToMedia(stage: Stage): void {
  const video = stage.el.video;
  for (const type of ["playing", "waiting", "canplay"] as const) {
    video.addEventListener(type, () => dispatch(stage, { type: "media", event: type, paused: video.paused }));
  }
  stage.el.overlay.retry.addEventListener("click", () => dispatch(stage, { type: "retry" }));
}

/** The controls (unless the stage was rendered with `controls={false}`), wired to the stage. */
function mountStageControls(stage: Stage, root: HTMLElement): Controls | null {
  if (root.dataset.controls === "off") return null;
  return mountControls(root, {
    theater: !stage.el.root.querySelector<HTMLElement>('[data-role="theater"]')?.hidden,
    shortcuts: stage.options.shortcuts ?? "page",
    fps: () => frameRateOf(stage.handle?.quality ?? null, stage.state.video, stage.el.video.videoHeight),
    active: () => stage.state.player === "attached" && !stage.el.video.hidden,
  });
}

/** Without controls (embeds with `controls=0`) a click still plays and pauses. */
function bindBarePicture(video: HTMLVideoElement, signal: AbortSignal): void {
  video.addEventListener(
    "click",
    () => (video.paused ? void video.play().catch(() => undefined) : video.pause()),
    {
      signal,
    },
  );
}

export function mountVideoStage(
  root: HTMLElement,
  videoId: string,
  options: VideoStageOptions = {},
): VideoStage {
  const el = stageElements(root);
  const lifetime = new AbortController();
  // The player and the refreshes dispatch into the stage, so they are filled in right after it.
  const stage = {
    videoId,
    options,
    el,
    lifetime,
    state: initialStage(),
    live: null,
    controls: null,
    handle: null,
  } as Stage;
  const send = (event: StageEvent) => dispatch(stage, event);
  if (options.muted) el.video.muted = true;
  stage.seek = mountSeekPreview(el.seek, el.video, el.frame);
  stage.controls = mountStageControls(stage, root);
  if (!stage.controls) bindBarePicture(el.video, lifetime.signal);
  stage.player = createStagePlayer(el.video, send, lifetime.signal, {
    autoplay: options.autoplay,
    startAt: () => options.startAt ?? undefined,
    onHandle: (handle) => {
      stage.handle = handle;
      stage.controls?.setEngine(handle?.quality ?? null);
    },
  });
  stage.refresh = createStageRefresh({
    videoId,
    lifetime: lifetime.signal,
    dispatch: send,
    attaching: () => stage.player.attaching,
    broken: () => stage.state.broken,
  });
  root.hidden = false;
  listenToMedia(stage);
  window.addEventListener("online", () => stage.state.phase === "offline" && send({ type: "retry" }), {
    signal: lifetime.signal,
  });

  start(stage);

  return {
    player: createPlayerApi(root, el.video, () => stage.controls),
    stop() {
      lifetime.abort();
      stage.controls?.destroy();
      stage.live?.stop();
      stage.seek.destroy();
      stage.refresh.stop();
      stage.player.stop();
    },
  };
}
