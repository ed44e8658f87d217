/**
 * Runs the player effects the stage machine asks for: attach hls.js (or native HLS) once,
 * autoplay, swap delivery tokens, reload the master for new qualities, destroy; and the
 * timer that asks for a fresh token a minute before the current one expires.
 */
import { attachPlayer, autoplay, type Playback, type PlayerHandle } from "./hls-player.ts";

export interface StagePlayerOptions {
  /** Start playing once attached (default true). */
  autoplay?: boolean | undefined;
  /** Where playback starts, seconds (`?t=`, an embed's `start`). */
  startAt?: () => number | undefined;
  /** The player attached (its quality engine for the menu) or went away (null). */
  onHandle?: (handle: PlayerHandle | null) => void;
}

import type { StageEffect, StageEvent } from "./video-stage-machine.ts";

/** Fetch a new delivery token this long before the current one expires. */
const TOKEN_REFRESH_LEAD_MS = 60_000;

export interface StagePlayer {
  /** Settles once an attach under way is done (the quality refresh waits for it). */
  readonly attaching: Promise<void> | null;
  run(effect: StageEffect): void;
  stop(): void;
}

export function createStagePlayer(
  video: HTMLVideoElement,
  dispatch: (event: StageEvent) => void,
  lifetime: AbortSignal,
  options: StagePlayerOptions = {},
): StagePlayer {
  let player: PlayerHandle | null = null;
  let attaching: Promise<void> | null = null;
  let tokenTimer: ReturnType<typeof setTimeout> | undefined;

  const attach = (playback: Playback) => {
    const callbacks = {
      onFatal: (message: string) => dispatch({ type: "player-error", message }),
      onTokenRejected: () => dispatch({ type: "token-rejected" }),
      onNetworkLost: () => dispatch({ type: "network-lost" }),
    };
    attaching = attachPlayer(video, playback, callbacks, { startAt: options.startAt?.() })
      .then((handle) => {
        if (lifetime.aborted) return handle.destroy();
        player = handle;
        options.onHandle?.(handle);
        dispatch({ type: "attached" });
        // An early-started player (the watch page, ADR 0033) may be playing already: its
        // `playing` event fired before the stage listened.
        if (!video.paused && video.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA) {
          dispatch({ type: "media", event: "playing", paused: false });
        }
      })
      .catch((err: unknown) => {
        dispatch({ type: "player-error", message: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => {
        attaching = null;
      });
  };

  const scheduleTokenRefresh = (expiresAt: string | undefined) => {
    clearTimeout(tokenTimer);
    const at = expiresAt ? Date.parse(expiresAt) : Number.NaN;
    if (Number.isNaN(at)) return;
    const delay = Math.max(5_000, at - Date.now() - TOKEN_REFRESH_LEAD_MS);
    tokenTimer = setTimeout(() => dispatch({ type: "token-expiring" }), delay);
  };

  return {
    get attaching() {
      return attaching;
    },
    run(effect) {
      switch (effect.type) {
        case "attach-player":
          return attach(effect.playback);
        case "destroy-player":
          player?.destroy();
          player = null;
          options.onHandle?.(null);
          return;
        case "autoplay":
          return options.autoplay === false ? undefined : void autoplay(video);
        case "update-playback":
          return player?.updatePlayback(effect.playback);
        case "reload-source":
          return player?.reloadSource(effect.playback);
        case "schedule-token-refresh":
          return scheduleTokenRefresh(effect.expiresAt);
        default:
          return;
      }
    },
    stop() {
      clearTimeout(tokenTimer);
      player?.destroy();
      player = null;
    },
  };
}
