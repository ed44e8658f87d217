import { describe, expect, it } from "vitest";
import type { VideoDto } from "../../lib/api.ts";
import { videoDto } from "../../lib/testing/video-dto.ts";
import {
  dataStateOf,
  initialStage,
  MAX_TOKEN_REFRESHES_IN_A_ROW,
  type StageEvent,
  type StageState,
  stageReducer,
  stageView,
} from "./video-stage-machine.ts";

const playback = { hls: "/v/v_1/tok/master.m3u8", expiresAt: "2026-11-23T10:15:00.000Z" };
const rung = (name: string) => ({ name, kind: "video", width: 1280, height: 720, bandwidth: 2_000_000 });
const processing = (patch: Partial<VideoDto> = {}) =>
  videoDto({
    status: "processing",
    playable: false,
    progress: { stage: "encode", percent: 42, updatedAt: "2026-11-23T10:00:00.000Z" },
    ...patch,
  });
const streaming = (rungs: string[], patch: Partial<VideoDto> = {}) =>
  processing({ playable: true, playback, renditions: rungs.map(rung) as VideoDto["renditions"], ...patch });

/** Runs events from the initial state; returns the last state and every effect, in order. */
function run(events: StageEvent[], from: StageState = initialStage()) {
  let state = from;
  const effects: string[] = [];
  for (const event of events) {
    const t = stageReducer(state, event);
    state = t.state;
    effects.push(...t.effects.map((e) => e.type));
  }
  return { state, effects };
}

describe("video stage machine", () => {
  it("starts loading, shows processing with the transcode's progress, attaches once playable", () => {
    expect(dataStateOf(initialStage())).toBe("loading");
    const busy = run([{ type: "video", video: processing() }]);
    expect(busy.state.phase).toBe("processing");
    expect(stageView(busy.state)).toMatchObject({
      dataState: "processing",
      overlay: { headline: "Transcoding", percent: 42, busy: true },
      videoHidden: true,
    });

    const playable = run([{ type: "video", video: streaming(["240p"]) }], busy.state);
    expect(playable.state).toMatchObject({ phase: "playable", player: "attaching", loadedRungs: 1 });
    expect(playable.effects).toEqual(["attach-player"]);
    expect(stageView(playable.state)).toMatchObject({
      dataState: "waiting",
      overlay: null,
      videoHidden: false,
    });
    expect(stageView(playable.state).strip).toMatch(/^Still processing: Transcoding · 42%/);

    // Another copy while attaching or attached never attaches twice.
    const again = run([{ type: "video", video: streaming(["240p"]) }, { type: "attached" }], playable.state);
    expect(again.effects).toEqual(["schedule-token-refresh", "autoplay"]);
    expect(again.state.player).toBe("attached");
  });

  it("plays: playing sticks through pauses, a stall waits, canplay resumes only after it has played", () => {
    const attached = run([{ type: "video", video: streaming(["240p"]) }, { type: "attached" }]).state;
    const canplayFirst = run([{ type: "media", event: "canplay", paused: false }], attached).state;
    expect(dataStateOf(canplayFirst)).toBe("waiting");
    const playing = run([{ type: "media", event: "playing", paused: false }], attached).state;
    expect(dataStateOf(playing)).toBe("playing");
    const stalled = run([{ type: "media", event: "waiting", paused: false }], playing).state;
    expect(dataStateOf(stalled)).toBe("waiting");
    expect(dataStateOf(run([{ type: "media", event: "canplay", paused: true }], stalled).state)).toBe(
      "waiting",
    );
    expect(dataStateOf(run([{ type: "media", event: "canplay", paused: false }], stalled).state)).toBe(
      "playing",
    );
  });

  it("is ready once every rendition is in: no strip; new rungs reload the player's master", () => {
    const attached = run([{ type: "video", video: streaming(["240p"]) }, { type: "attached" }]).state;
    const same = run([{ type: "qualities", video: streaming(["240p"]) }], attached);
    expect(same.effects).toEqual([]);
    const ready = run(
      [{ type: "qualities", video: streaming(["240p", "720p"], { status: "ready" }) }],
      attached,
    );
    expect(ready.state).toMatchObject({ phase: "ready", loadedRungs: 2 });
    expect(ready.effects).toEqual(["reload-source", "schedule-token-refresh"]);
    expect(stageView(ready.state).strip).toBeNull();
  });

  it("shows a failed transcode with its reason and drops the player", () => {
    const attached = run([{ type: "video", video: streaming(["240p"]) }, { type: "attached" }]).state;
    const failed = run(
      [{ type: "video", video: processing({ status: "failed", failureReason: "no video stream" }) }],
      attached,
    );
    expect(failed.effects).toEqual(["destroy-player"]);
    expect(failed.state).toMatchObject({ phase: "failed", player: "none" });
    expect(stageView(failed.state)).toMatchObject({
      dataState: "failed",
      overlay: { headline: "Processing failed", failure: "no video stream" },
      strip: null,
    });
    // A player that finishes attaching after the failure is destroyed at once.
    const late = run([{ type: "video", video: streaming(["240p"]) }], initialStage()).state;
    const lateFailed = run(
      [{ type: "video", video: processing({ status: "failed" }) }, { type: "attached" }],
      late,
    );
    expect(lateFailed.effects).toEqual(["destroy-player", "destroy-player"]);
  });

  it("refreshes the delivery token before expiry and after refusals, and gives up after a few in a row", () => {
    const attached = run([{ type: "video", video: streaming(["240p"]) }, { type: "attached" }]).state;
    const expiring = run([{ type: "token-expiring" }], attached);
    expect(expiring.state.token).toBe("refreshing");
    expect(expiring.effects).toEqual(["refresh-playback"]);
    const fresh = run([{ type: "playback", video: streaming(["240p"]) }], expiring.state);
    expect(fresh.state.token).toBe("idle");
    expect(fresh.effects).toEqual(["update-playback", "schedule-token-refresh"]);
    expect(run([{ type: "playback-unavailable" }], expiring.state).effects).toEqual([
      "schedule-token-refresh",
    ]);

    const refusals: StageEvent[] = Array.from({ length: MAX_TOKEN_REFRESHES_IN_A_ROW }, () => ({
      type: "token-rejected" as const,
    }));
    const retrying = run(refusals, attached);
    expect(retrying.effects).toEqual(Array(MAX_TOKEN_REFRESHES_IN_A_ROW).fill("refresh-playback"));
    // Playback running again resets the count.
    const reset = run([{ type: "media", event: "playing", paused: false }, ...refusals], retrying.state);
    expect(reset.state.phase).toBe("playable");
    const broken = run([{ type: "token-rejected" }], retrying.state);
    expect(broken.state).toMatchObject({ phase: "playback-error", broken: true, player: "none" });
    expect(stageView(broken.state).overlay).toEqual({
      headline: "Playback error",
      failure: "The video could not be loaded. Reload the page to try again.",
    });
  });

  it("never restarts a broken player, whatever later copies say", () => {
    const attached = run([{ type: "video", video: streaming(["240p"]) }, { type: "attached" }]).state;
    const broken = run([{ type: "player-error", message: "media error" }], attached);
    expect(broken.effects).toEqual(["destroy-player"]);
    const later = run([{ type: "video", video: streaming(["240p", "720p"]) }], broken.state);
    expect(later.effects).toEqual([]);
    expect(stageView(later.state)).toMatchObject({
      dataState: "failed",
      overlay: { failure: "media error" },
    });
  });

  it("says not found (and hides the live panel), or offers a retry when loading failed", () => {
    const gone = run([{ type: "video", video: streaming(["240p"]) }, { type: "attached" }, { type: "gone" }]);
    expect(gone.effects.at(-1)).toBe("destroy-player");
    expect(stageView(gone.state)).toMatchObject({
      dataState: "not-found",
      overlay: { headline: "Video not found", home: true },
      livePanelHidden: true,
    });
    const failed = run([{ type: "load-failed", message: "Can't reach Streamline." }]);
    expect(stageView(failed.state)).toMatchObject({
      dataState: "error",
      overlay: { headline: "Couldn't load this video", failure: "Can't reach Streamline.", retry: true },
    });
    const retry = run([{ type: "retry" }], failed.state);
    expect(retry.effects).toEqual(["load"]);
    expect(stageView(retry.state)).toMatchObject({
      dataState: "loading",
      overlay: { headline: "Loading video…" },
    });
  });

  it("a lost network keeps the player and offers a retry that fetches fresh playback", () => {
    const ready = streaming(["240p", "720p"], { status: "ready" });
    const playing = run([{ type: "video", video: ready }, { type: "attached" }]);
    const lost = run([{ type: "network-lost" }], playing.state);
    expect(lost.state).toMatchObject({ phase: "offline", player: "attached" });
    expect(lost.effects).toEqual([]);
    expect(stageView(lost.state)).toMatchObject({
      dataState: "offline",
      overlay: { headline: "Connection lost", retry: true },
    });
    // Retry asks for fresh playback; still offline, it stays offline.
    const retry = run([{ type: "retry" }], lost.state);
    expect(retry.effects).toEqual(["refresh-playback"]);
    const stillDown = run([{ type: "playback-unavailable" }], retry.state);
    expect(stillDown.state.phase).toBe("offline");
    // Back: the player gets the new token (which restarts loading) and the overlay goes.
    const back = run([{ type: "playback", video: ready }], retry.state);
    expect(back.state.phase).toBe("ready");
    expect(back.effects).toContain("update-playback");
    expect(stageView(back.state).overlay).toBeNull();
    // Before a player exists there is nothing to keep: a lost network then is not "offline".
    expect(run([{ type: "network-lost" }]).state.phase).toBe("loading");
  });
});
