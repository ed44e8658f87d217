/**
 * Plays an HLS source in a <video>: hls.js wherever Media Source Extensions exist (it is the
 * largest thing the site ships, so it is imported on demand), the browser's own HLS otherwise
 * (iPhone Safari without MSE).
 *
 * Delivery tokens sit in the path (`/v/{id}/{token}/…`) and expire. `updatePlayback` swaps the
 * token used by every later request, so a long session keeps playing on fresh tokens.
 * Players read a master playlist once; `reloadSource` re-reads it when renditions were added.
 */
import type Hls from "hls.js";
import type { ErrorData } from "hls.js";
import { tokenOf, withToken } from "../../lib/delivery-token.ts";
import type { QualityEngine } from "../player/quality-engine.ts";

export interface Playback {
  hls: string;
  expiresAt: string;
}

export interface PlayerHandle {
  readonly hls: Hls | null;
  readonly video: HTMLVideoElement;
  readonly quality: QualityEngine | null;
  updatePlayback(playback: Playback): void;
  /**
   * Load the master playlist again (it gains a variant each time a rendition is published),
   * keeping the position and whether it was playing, so new qualities appear without a reload.
   */
  reloadSource(playback: Playback): void;
  destroy(): void;
}

export interface PlayerCallbacks {
  /** Playback cannot continue; the message is for people. */
  onFatal(message: string): void;
  /** Loading stopped on a network error (not a refused token): offer a retry, keep the player. */
  onNetworkLost?(): void;
  /** A request was refused (most likely an expired token): fetch fresh playback and call updatePlayback. */
  onTokenRejected(): void;
}

declare global {
  interface Window {
    /** Test hook: the active player. */
    __player?: { hls: Hls | null; video: HTMLVideoElement };
  }
}

const MAX_MEDIA_RECOVERIES = 2;

type HlsConstructor = typeof Hls;

/** What the hls.js player has to remember between calls. */
interface HlsSession {
  /** The newest delivery token; every request is rewritten to carry it. */
  token: string | null;
  /** A fatal network error stopped loading; the next fresh playback restarts it. */
  stalledOnNetwork: boolean;
  /** That error was the master playlist itself, so the source is loaded again. */
  manifestFailed: boolean;
  mediaRecoveries: number;
}

export interface AttachOptions {
  /** Start here (seconds) instead of at 0: hls.js loads from there, native seeks on metadata. */
  startAt?: number | undefined;
}

/** Media Source Extensions (hls.js) are there; without them (iPhone Safari) the browser plays HLS. */
function hasMediaSource(): boolean {
  const w = window as unknown as { ManagedMediaSource?: unknown; MediaSource?: unknown };
  return typeof w.MediaSource === "function" || typeof w.ManagedMediaSource === "function";
}

let hlsModule: Promise<{ default: HlsConstructor }> | null = null;

/** hls.js, fetched once: the player's attach and an early start share the module. */
function importHls(): Promise<{ default: HlsConstructor }> {
  hlsModule ??= import("hls.js");
  return hlsModule;
}

/** A player started before the page's script mounted the stage (the watch page, ADR 0033). */
interface EarlyPlayer {
  video: HTMLVideoElement;
  /** The master's path without its token: the stage's copy may carry a newer token. */
  master: string;
  handle: PlayerHandle;
  bind(callbacks: PlayerCallbacks): void;
}

let early: EarlyPlayer | null = null;

const masterKey = (url: string) => withToken(url, "-", location.href);

/** Callbacks that hold what happens before the stage binds its own, then hand it over in order. */
function callbackRelay() {
  let target: PlayerCallbacks | null = null;
  const queued: ((c: PlayerCallbacks) => void)[] = [];
  const call = (fn: (c: PlayerCallbacks) => void) => (target ? fn(target) : queued.push(fn));
  const lost = (c: PlayerCallbacks) =>
    c.onNetworkLost ? c.onNetworkLost() : c.onFatal("The video could not be loaded. Reload the page.");
  const callbacks: Required<PlayerCallbacks> = {
    onFatal: (message) => call((c) => c.onFatal(message)),
    onNetworkLost: () => call(lost),
    onTokenRejected: () => call((c) => c.onTokenRejected()),
  };
  return {
    callbacks,
    bind(next: PlayerCallbacks) {
      target = next;
      for (const fn of queued.splice(0)) fn(next);
    },
  };
}

/**
 * Start playing a server-rendered playable copy at once, from the page's first small script
 * (it runs once the page is parsed: interactive), with the hls.js the script imported. The
 * stage adopts this player when it mounts (`attachPlayer` on the same <video> and master), so
 * the first frame waits for neither the page's larger script nor the viewer's copy of the video.
 * Browsers without MSE are left to the stage (native HLS): false.
 */
export function startEarlyPlayer(
  HlsClass: HlsConstructor,
  video: HTMLVideoElement,
  playback: Playback,
  options: AttachOptions = {},
): boolean {
  hlsModule ??= Promise.resolve({ default: HlsClass });
  if (!hasMediaSource() || !HlsClass.isSupported()) return false;
  const relay = callbackRelay();
  const handle = attachHlsJs(HlsClass, video, playback, relay.callbacks, options);
  early = { video, master: masterKey(playback.hls), handle, bind: relay.bind };
  void autoplay(video);
  return true;
}

/** The early player for this <video> and master, handed over once (then the stage owns it). */
function adoptEarly(
  video: HTMLVideoElement,
  playback: Playback,
  callbacks: PlayerCallbacks,
): PlayerHandle | null {
  if (!early || early.video !== video || early.master !== masterKey(playback.hls)) return null;
  const taken = early;
  early = null;
  taken.bind(callbacks);
  taken.handle.updatePlayback(playback);
  return taken.handle;
}

export async function attachPlayer(
  video: HTMLVideoElement,
  playback: Playback,
  callbacks: PlayerCallbacks,
  options: AttachOptions = {},
): Promise<PlayerHandle> {
  const adopted = adoptEarly(video, playback, callbacks);
  if (adopted) return adopted;
  const nativeHls = video.canPlayType("application/vnd.apple.mpegurl") !== "";
  // No MSE: don't even fetch hls.js (the largest thing the site ships).
  if (!hasMediaSource() && nativeHls) return attachNative(video, playback, callbacks, options);
  const { default: HlsClass } = await importHls();
  if (HlsClass.isSupported()) return attachHlsJs(HlsClass, video, playback, callbacks, options);
  if (nativeHls) return attachNative(video, playback, callbacks, options);
  throw new Error("This browser can't play HLS video.");
}

function hlsQuality(HlsClass: HlsConstructor, hls: Hls): QualityEngine {
  return {
    levels: () => hls.levels,
    manual: () => (hls.autoLevelEnabled ? -1 : hls.currentLevel),
    playing: () => hls.currentLevel,
    choose(index) {
      hls.currentLevel = index;
    },
    onChange(fn) {
      const events = [
        HlsClass.Events.MANIFEST_PARSED,
        HlsClass.Events.LEVEL_SWITCHED,
        HlsClass.Events.LEVELS_UPDATED,
      ] as const;
      for (const event of events) hls.on(event, fn);
      return () => {
        for (const event of events) hls.off(event, fn);
      };
    },
  };
}

function attachHlsJs(
  HlsClass: HlsConstructor,
  video: HTMLVideoElement,
  playback: Playback,
  callbacks: PlayerCallbacks,
  options: AttachOptions,
): PlayerHandle {
  const session: HlsSession = {
    token: tokenOf(playback.hls, location.href),
    stalledOnNetwork: false,
    manifestFailed: false,
    mediaRecoveries: 0,
  };
  const hls = createHls(HlsClass, session);
  if (options.startAt && options.startAt > 0) hls.config.startPosition = options.startAt;
  hls.on(HlsClass.Events.ERROR, (_event, data) => onHlsError(HlsClass, hls, session, data, callbacks));
  hls.loadSource(playback.hls);
  hls.attachMedia(video);
  window.__player = { hls, video };
  return {
    hls,
    video,
    quality: hlsQuality(HlsClass, hls),
    updatePlayback(next) {
      session.token = tokenOf(next.hls, location.href);
      if (!session.stalledOnNetwork) return;
      session.stalledOnNetwork = false;
      if (session.manifestFailed) hls.loadSource(next.hls);
      else hls.startLoad(video.currentTime > 0 ? video.currentTime : -1);
    },
    reloadSource: (next) => reloadHlsSource(HlsClass, hls, session, video, next),
    destroy() {
      hls.destroy();
      if (window.__player?.hls === hls) delete window.__player;
    },
  };
}

function createHls(HlsClass: HlsConstructor, session: HlsSession): Hls {
  const hls = new HlsClass({
    capLevelToPlayerSize: true,
    backBufferLength: 60,
    // Fast start (ADR 0029, 0033): begin on the lowest rung — levels are sorted by height, and the
    // watch page preloads that rung's playlist, init and first segment — and let ABR climb from
    // the first fragment's measured bandwidth; the first fragment is requested while the
    // MediaSource opens.
    startLevel: 0,
    startFragPrefetch: true,
    // Captions (the master's SUBTITLES group): hls.js turns each track into a TextTrack on the
    // element, so the native controls offer the CC menu and the browser renders the cues; the
    // DEFAULT=YES track is selected and, with `subtitleDisplay` (below), showing from the start.
    // These are hls.js's defaults, spelled out because the CC menu depends on them.
    enableWebVTT: true,
    renderTextTracksNatively: true,
    // Called before hls.js opens each request: opening it here ourselves lets every playlist
    // and segment request carry the newest token, even for URIs resolved from older playlists.
    xhrSetup(xhr, url) {
      if (!session.token) return;
      const current = withToken(url, session.token, location.href);
      if (current !== url) xhr.open("GET", current, true);
    },
  });
  hls.subtitleDisplay = true;
  return hls;
}

function onHlsError(
  HlsClass: HlsConstructor,
  hls: Hls,
  session: HlsSession,
  data: ErrorData,
  callbacks: PlayerCallbacks,
) {
  if (!data.fatal) return;
  if (data.type === HlsClass.ErrorTypes.NETWORK_ERROR) {
    session.stalledOnNetwork = true;
    session.manifestFailed = data.details === HlsClass.ErrorDetails.MANIFEST_LOAD_ERROR;
    const status = data.response?.code;
    if (status === 401 || status === 403) callbacks.onTokenRejected();
    else if (callbacks.onNetworkLost) callbacks.onNetworkLost();
    else callbacks.onFatal("The video could not be loaded. Check your connection and reload the page.");
    return;
  }
  if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR && session.mediaRecoveries < MAX_MEDIA_RECOVERIES) {
    session.mediaRecoveries++;
    hls.recoverMediaError();
    return;
  }
  callbacks.onFatal("This video can't be played in this browser.");
}

function reloadHlsSource(
  HlsClass: HlsConstructor,
  hls: Hls,
  session: HlsSession,
  video: HTMLVideoElement,
  next: Playback,
) {
  session.token = tokenOf(next.hls, location.href);
  session.stalledOnNetwork = false;
  session.manifestFailed = false;
  const resumeAt = video.currentTime;
  const wasPlaying = !video.paused && !video.ended;
  // A fresh MediaSource: the new master may bring a different track layout (e.g. a separate
  // audio group) than the SourceBuffers the old one created. Start loading where we were,
  // and play again once the new manifest is in.
  hls.config.startPosition = resumeAt > 0 ? resumeAt : -1;
  if (wasPlaying) {
    hls.once(HlsClass.Events.MANIFEST_PARSED, () => {
      void video.play().catch(() => undefined);
    });
  }
  hls.detachMedia();
  hls.loadSource(next.hls);
  hls.attachMedia(video);
}

/**
 * Native HLS: the browser fetches everything itself, so a new token means a new source;
 * swap it only after the old one was refused, and keep the position.
 */
function attachNative(
  video: HTMLVideoElement,
  playback: Playback,
  callbacks: PlayerCallbacks,
  options: AttachOptions,
): PlayerHandle {
  let needsFreshSource = false;
  const onError = () => {
    needsFreshSource = true;
    callbacks.onTokenRejected();
  };
  video.addEventListener("error", onError);
  video.src = playback.hls;
  const startAt = options.startAt ?? 0;
  if (startAt > 0)
    video.addEventListener("loadedmetadata", () => (video.currentTime = startAt), { once: true });
  window.__player = { hls: null, video };
  return {
    hls: null,
    video,
    quality: null,
    updatePlayback(next) {
      if (!needsFreshSource) return;
      needsFreshSource = false;
      swapNativeSource(video, next.hls, true);
    },
    reloadSource(next) {
      needsFreshSource = false;
      swapNativeSource(video, next.hls, !video.paused && !video.ended);
    },
    destroy() {
      video.removeEventListener("error", onError);
      video.removeAttribute("src");
      video.load();
      if (window.__player?.video === video) delete window.__player;
    },
  };
}

function swapNativeSource(video: HTMLVideoElement, url: string, play: boolean) {
  const resumeAt = video.currentTime;
  video.src = url;
  video.addEventListener(
    "loadedmetadata",
    () => {
      video.currentTime = resumeAt;
      if (play) void video.play().catch(() => undefined);
    },
    { once: true },
  );
}

/** Start playback; browsers refuse sound without a gesture, so fall back to muted autoplay. */
export async function autoplay(video: HTMLVideoElement): Promise<void> {
  try {
    await video.play();
  } catch (err) {
    if (!(err instanceof DOMException) || err.name !== "NotAllowedError") return;
    video.muted = true;
    await video.play().catch(() => undefined);
  }
}
