/**
 * The video stage as an explicit state machine: a pure reducer of named states and events
 * (the way `live-progress.ts` merges its feed), and a pure view of each state. The DOM side
 * (`video-stage.ts`) feeds it events — a fresh copy of the video, the player's life, media
 * events, token refreshes — runs the effects it asks for, and renders `stageView(state)`.
 *
 * Phases: loading → processing → playable (streams, more qualities coming) → ready; or
 * failed (the transcode), playback-error (the player), not-found, load-error; offline (the
 * network dropped mid-playback: the player is kept and a retry re-fetches playback). The token
 * sub-state follows delivery-token refreshes; `media` is what the <video> itself is doing.
 */
import type { VideoDto } from "../../lib/api.ts";
import { summarizeStatus } from "../../lib/video-status.ts";
import type { Playback } from "./hls-player.ts";

export type StagePhase =
  | "loading"
  | "load-error"
  | "processing"
  | "playable"
  | "ready"
  | "failed"
  | "playback-error"
  | "not-found"
  | "offline";

/** What tests and styles key on (`data-state` of the stage). */
export type StageDataState =
  | "loading"
  | "processing"
  | "waiting"
  | "playing"
  | "failed"
  | "not-found"
  | "error"
  | "offline";

export interface StageState {
  phase: StagePhase;
  video: VideoDto | null;
  player: "none" | "attaching" | "attached";
  /** The <video>: attached but not started, playing (sticks through pauses), or stalled. */
  media: "starting" | "playing" | "stalled";
  hasPlayed: boolean;
  /** A fresh delivery token is being fetched (before expiry, or after a refused request). */
  token: "idle" | "refreshing";
  /** Refused requests since playback last ran; past the limit something else is wrong. */
  rejectionsInARow: number;
  /** Video renditions in the master the player last loaded (more published → reload it). */
  loadedRungs: number;
  /** Set by a playback error; later copies of the video never restart a broken player. */
  broken: boolean;
  /** Failure or load-error text for people. */
  message: string;
}

export type StageEvent =
  | { type: "video"; video: VideoDto }
  | { type: "qualities"; video: VideoDto }
  | { type: "playback"; video: VideoDto }
  | { type: "playback-unavailable" }
  | { type: "load-failed"; message: string }
  | { type: "retry" }
  | { type: "gone" }
  | { type: "attached" }
  | { type: "player-error"; message: string }
  | { type: "network-lost" }
  | { type: "token-expiring" }
  | { type: "token-rejected" }
  | { type: "media"; event: "playing" | "waiting" | "canplay"; paused: boolean };

export type StageEffect =
  | { type: "load" }
  | { type: "attach-player"; playback: Playback }
  | { type: "destroy-player" }
  | { type: "autoplay" }
  | { type: "update-playback"; playback: Playback }
  | { type: "reload-source"; playback: Playback }
  | { type: "refresh-playback" }
  | { type: "schedule-token-refresh"; expiresAt: string | undefined };

export interface Transition {
  state: StageState;
  effects: StageEffect[];
}

/** Refused requests right after a fresh token mean something else is wrong: stop retrying. */
export const MAX_TOKEN_REFRESHES_IN_A_ROW = 3;
const TOKEN_GIVE_UP = "The video could not be loaded. Reload the page to try again.";
const ENDED: ReadonlySet<StagePhase> = new Set(["failed", "playback-error", "not-found"]);

export function initialStage(): StageState {
  return {
    phase: "loading",
    video: null,
    player: "none",
    media: "starting",
    hasPlayed: false,
    token: "idle",
    rejectionsInARow: 0,
    loadedRungs: 0,
    broken: false,
    message: "",
  };
}

export function videoRungs(video: VideoDto): number {
  return video.renditions.filter((r) => r.kind !== "audio").length;
}

export function dataStateOf(state: StageState): StageDataState {
  switch (state.phase) {
    case "load-error":
      return "error";
    case "playable":
    case "ready":
      return state.media === "playing" ? "playing" : "waiting";
    case "playback-error":
      return "failed";
    default:
      return state.phase;
  }
}

const stay = (state: StageState): Transition => ({ state, effects: [] });

function end(state: StageState, phase: StagePhase, message: string): Transition {
  const effects: StageEffect[] = state.player === "none" ? [] : [{ type: "destroy-player" }];
  return { state: { ...state, phase, message, player: "none" }, effects };
}

/** A fresh copy of the video: failed, still processing, or streamable (attach the player once). */
function applyVideo(previous: StageState, video: VideoDto): Transition {
  const state = { ...previous, video };
  if (video.status === "failed") return end(state, "failed", summarizeStatus(video).detail);
  if (state.broken) return stay(state);
  if (!video.playable || !video.playback) return stay({ ...state, phase: "processing" });
  const phase = video.status === "ready" ? "ready" : "playable";
  if (state.player !== "none") return stay({ ...state, phase });
  return {
    state: { ...state, phase, player: "attaching", media: "starting", loadedRungs: videoRungs(video) },
    effects: [{ type: "attach-player", playback: video.playback }],
  };
}

const tokenRefreshAfter = (state: StageState): StageEffect => ({
  type: "schedule-token-refresh",
  expiresAt: state.video?.playback?.expiresAt,
});

/** The quality refresh's copy: if it lists more rungs than the player has, reload the master. */
function applyQualities(previous: StageState, video: VideoDto): Transition {
  const { state, effects } = applyVideo(previous, video);
  if (state.player !== "attached" || !video.playback || videoRungs(video) <= state.loadedRungs) {
    return { state, effects };
  }
  return {
    state: { ...state, loadedRungs: videoRungs(video) },
    effects: [...effects, { type: "reload-source", playback: video.playback }, tokenRefreshAfter(state)],
  };
}

/** The token refresh's copy: hand the new token to the player and plan the next refresh. */
function applyPlayback(previous: StageState, video: VideoDto): Transition {
  const { state, effects } = applyVideo({ ...previous, token: "idle" }, video);
  const update: StageEffect[] =
    video.playback && state.player === "attached"
      ? [{ type: "update-playback", playback: video.playback }]
      : [];
  return { state, effects: [...effects, ...update, tokenRefreshAfter(state)] };
}

function applyMedia(
  state: StageState,
  event: "playing" | "waiting" | "canplay",
  paused: boolean,
): Transition {
  if (event === "playing") {
    const next = { ...state, hasPlayed: true, rejectionsInARow: 0 };
    return stay(
      state.phase === "failed" || state.phase === "playback-error" ? next : { ...next, media: "playing" },
    );
  }
  if (event === "waiting") return stay(state.media === "playing" ? { ...state, media: "stalled" } : state);
  const resumes = state.hasPlayed && dataStateOf(state) === "waiting" && !paused;
  return stay(resumes ? { ...state, media: "playing" } : state);
}

function tokenRejected(state: StageState): Transition {
  const rejectionsInARow = state.rejectionsInARow + 1;
  if (rejectionsInARow > MAX_TOKEN_REFRESHES_IN_A_ROW) {
    return end({ ...state, rejectionsInARow, broken: true, token: "idle" }, "playback-error", TOKEN_GIVE_UP);
  }
  return {
    state: { ...state, rejectionsInARow, token: "refreshing" },
    effects: [{ type: "refresh-playback" }],
  };
}

export function stageReducer(state: StageState, event: StageEvent): Transition {
  switch (event.type) {
    case "video":
      return applyVideo(state, event.video);
    case "qualities":
      return applyQualities(state, event.video);
    case "playback":
      return applyPlayback(state, event.video);
    case "playback-unavailable":
      return { state: { ...state, token: "idle" }, effects: [tokenRefreshAfter(state)] };
    case "load-failed":
      return stay({ ...state, phase: "load-error", message: event.message });
    case "retry":
      if (state.phase === "offline") {
        return { state: { ...state, token: "refreshing" }, effects: [{ type: "refresh-playback" }] };
      }
      return { state: { ...state, phase: "loading" }, effects: [{ type: "load" }] };
    case "network-lost":
      return ENDED.has(state.phase) || state.player === "none"
        ? stay(state)
        : stay({ ...state, phase: "offline" });
    case "gone":
      return end(state, "not-found", "");
    case "attached":
      if (ENDED.has(state.phase))
        return { state: { ...state, player: "none" }, effects: [{ type: "destroy-player" }] };
      return {
        state: { ...state, player: "attached" },
        effects: [tokenRefreshAfter(state), { type: "autoplay" }],
      };
    case "player-error":
      return end({ ...state, broken: true }, "playback-error", event.message);
    case "token-expiring":
      return { state: { ...state, token: "refreshing" }, effects: [{ type: "refresh-playback" }] };
    case "token-rejected":
      return tokenRejected(state);
    case "media":
      return applyMedia(state, event.event, event.paused);
  }
}

// ---- the view of a state ---------------------------------------------------------------------

export interface OverlayView {
  headline: string;
  detail?: string;
  /** A number fills the bar; null is an indeterminate bar; absent hides it. */
  percent?: number | null;
  busy?: boolean;
  failure?: string;
  retry?: boolean;
  home?: boolean;
}

export interface StageView {
  dataState: StageDataState;
  /** null hides the overlay (the player shows). */
  overlay: OverlayView | null;
  /** undefined leaves the element as it is. */
  videoHidden?: boolean;
  /** The "still processing" strip under a playing video; null hides it, undefined leaves it. */
  strip?: string | null;
  /** The live renditions panel: hidden for good once the video is gone. */
  livePanelHidden?: true;
}

function streamingStrip(video: VideoDto): string | null {
  if (video.status === "ready") return null;
  const summary = summarizeStatus(video);
  const percent = summary.percent === null ? "" : ` · ${Math.floor(summary.percent)}%`;
  return `Still processing: ${summary.headline}${percent}. Higher qualities appear when they're ready.`;
}

function overlayOf(state: StageState): OverlayView | null {
  switch (state.phase) {
    case "loading":
      return { headline: "Loading video…", busy: true };
    case "load-error":
      return { headline: "Couldn't load this video", failure: state.message, retry: true };
    case "processing": {
      const summary = state.video ? summarizeStatus(state.video) : null;
      if (!summary) return { headline: "Loading video…", busy: true };
      return { headline: summary.headline, detail: summary.detail, percent: summary.percent, busy: true };
    }
    case "failed":
      return { headline: "Processing failed", failure: state.message };
    case "playback-error":
      return { headline: "Playback error", failure: state.message };
    case "offline":
      return {
        headline: "Connection lost",
        detail: "Playback stopped because the network dropped. It picks up where it left off.",
        retry: true,
      };
    case "not-found":
      return {
        headline: "Video not found",
        detail: "It may have been deleted, or the link is wrong.",
        home: true,
      };
    default:
      return null;
  }
}

export function stageView(state: StageState): StageView {
  const view: StageView = { dataState: dataStateOf(state), overlay: overlayOf(state) };
  switch (state.phase) {
    case "processing":
      return { ...view, videoHidden: true };
    case "playable":
    case "ready":
      return { ...view, videoHidden: false, strip: state.video ? streamingStrip(state.video) : null };
    case "failed":
    case "playback-error":
      return { ...view, videoHidden: true, strip: null };
    case "not-found":
      return { ...view, videoHidden: true, strip: null, livePanelHidden: true };
    default:
      return view;
  }
}
