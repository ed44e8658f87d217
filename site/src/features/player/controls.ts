/**
 * The player's controls over a plain <video> (ADR 0018: hand-written, not Media Chrome or
 * Vidstack): play/pause, mute and volume, the clock and chapter, captions, the settings popover
 * (quality, speed, captions and their style), picture-in-picture, theater mode, full screen, the
 * YouTube keyboard map (`keymap.ts`) and a live region that says what changed. The seek bar is
 * `watch/seek-preview.ts`. Every piece of state is mirrored on the stage root as a data
 * attribute (`data-paused`, `data-muted`, `data-theater`, …) that the CSS keys on.
 */
import { createCaptions } from "./captions.ts";
import {
  type ControlsOptions,
  type ControlsState,
  controlElements,
  say,
  seekTo,
  setTheater,
  THEATER_KEY,
  toggleFullscreen,
  togglePip,
  togglePlay,
} from "./controls-core.ts";
import { bindButtons, bindMediaState, formatClock } from "./controls-view.ts";
import {
  frameDuration,
  isTypingTarget,
  keyAction,
  keyBelongsToControl,
  type PlayerAction,
} from "./keymap.ts";
import { qualityOptions, qualitySummary, speedLabel, speedOptions, stepSpeed } from "./menus.ts";
import { readPref } from "./prefs.ts";
import type { QualityEngine } from "./quality-engine.ts";
import { type MenuEntry, mountSettingsMenu } from "./settings-menu.ts";

export type { ControlsOptions, ShortcutScope } from "./controls-core.ts";

export interface Controls {
  setEngine(engine: QualityEngine | null): void;
  readonly theater: boolean;
  setTheater(on: boolean): void;
  /** Something for the live region (and the on-picture toast). */
  say(text: string): void;
  destroy(): void;
}

function setVolume(c: ControlsState, volume: number): string {
  c.video.volume = Math.min(1, Math.max(0, volume));
  if (c.video.volume > 0) c.video.muted = false;
  return `Volume ${Math.round(c.video.volume * 100)}%`;
}

function setSpeed(c: ControlsState, rate: number): string {
  c.video.playbackRate = rate;
  return `Speed ${speedLabel(rate)}`;
}

/** Runs one keyboard action; returns what to announce (empty: nothing). */
function run(c: ControlsState, action: PlayerAction): string {
  const { video } = c;
  switch (action.type) {
    case "toggle-play":
      togglePlay(c);
      return "";
    case "seek-by":
      seekTo(c, video.currentTime + action.seconds);
      return `${action.seconds > 0 ? "+" : "−"}${Math.abs(action.seconds)} s`;
    case "seek-to-fraction":
      if (Number.isFinite(video.duration)) seekTo(c, video.duration * action.fraction);
      return formatClock(video.currentTime);
    case "volume-by":
      return setVolume(c, video.volume + action.delta);
    case "toggle-mute":
      video.muted = !video.muted;
      return video.muted ? "Muted" : "Sound on";
    case "toggle-fullscreen":
      toggleFullscreen(c);
      return "";
    case "toggle-captions":
      return c.captions.toggle();
    case "toggle-theater":
      setTheater(c, !c.theater);
      return c.theater ? "Theater mode" : "Default view";
    case "frame-step":
      seekTo(c, video.currentTime + action.frames * frameDuration(c.options.fps()));
      return "";
    case "speed-step":
      return setSpeed(c, stepSpeed(video.playbackRate, action.steps));
  }
}

export function apply(c: ControlsState, action: PlayerAction): void {
  const text = run(c, action);
  if (text) say(c, text);
}

function menuEntries(c: ControlsState): MenuEntry[] {
  const engine = c.engine;
  const levels = engine?.levels() ?? [];
  const entries: MenuEntry[] = [];
  if (engine && levels.filter((l) => (l.height ?? 0) > 0).length > 0) {
    const manual = engine.manual();
    const playing = engine.playing();
    entries.push({
      id: "quality",
      label: "Quality",
      value: qualitySummary(levels, manual, playing),
      options: qualityOptions(levels, manual, playing),
    });
  }
  entries.push({
    id: "speed",
    label: "Speed",
    value: speedLabel(c.video.playbackRate),
    options: speedOptions(c.video.playbackRate),
  });
  entries.push(...c.captions.menuEntries());
  if (document.pictureInPictureEnabled) {
    entries.push({
      id: "pip",
      label: "Picture-in-picture",
      value: "",
      run: () => togglePip(c),
      narrowOnly: true,
    });
  }
  if (c.options.theater) {
    const run = () => setTheater(c, !c.theater);
    entries.push({
      id: "theater",
      label: "Theater mode",
      value: "",
      run,
      checked: c.theater,
      narrowOnly: true,
    });
  }
  return entries;
}

function choose(c: ControlsState, id: string, value: string): void {
  if (id === "quality" && c.engine) {
    const index = Number(value);
    c.engine.choose(index);
    const levels = c.engine.levels();
    say(c, `Quality ${index < 0 ? "Auto" : qualitySummary(levels, index, index)}`);
  } else if (id === "speed") say(c, setSpeed(c, Number(value)));
  else c.captions.choose(id, value, (text) => say(c, text));
}

/** The YouTube keys, on the whole page or only inside the player. */
function bindShortcuts(c: ControlsState): void {
  if (c.options.shortcuts === "none") return;
  const target: HTMLElement | Document = c.options.shortcuts === "page" ? document : c.root;
  target.addEventListener(
    "keydown",
    (event) => {
      const e = event as KeyboardEvent;
      if (e.defaultPrevented || !c.options.active() || isTypingTarget(e.target)) return;
      if (keyBelongsToControl(e.key, e.target)) return;
      // Another dialog or menu on the page has the keyboard.
      const t = e.target as Element | null;
      if (t?.closest?.("dialog, [role='dialog'], [role='menu']") && !c.root.contains(t)) return;
      const action = keyAction(e, c.video.paused);
      if (!action || (action.type === "toggle-theater" && !c.options.theater)) return;
      e.preventDefault();
      apply(c, action);
    },
    { signal: c.signal },
  );
}

export function mountControls(root: HTMLElement, options: ControlsOptions): Controls {
  const el = controlElements(root);
  const lifetime = new AbortController();
  const c = {
    root,
    frame: el.frame,
    video: el.video,
    ui: el.ui,
    options,
    signal: lifetime.signal,
    engine: null,
    engineOff: null,
    toast: el.toast,
    announce: el.announce,
    toastTimer: undefined,
    theater: false,
  } as unknown as ControlsState;
  c.captions = createCaptions(root, el.video, el.captions, () => c.menu?.refresh(), lifetime.signal);
  c.menu = mountSettingsMenu(
    {
      button: el.settings,
      menu: el.settingsMenu,
      ui: el.ui,
      entries: () => menuEntries(c),
      choose: (id, value) => choose(c, id, value),
    },
    lifetime.signal,
  );
  bindButtons(c, el);
  bindMediaState(c, el);
  bindShortcuts(c);
  if (options.theater) setTheater(c, readPref(THEATER_KEY) === "1", false);
  return {
    setEngine(engine) {
      c.engineOff?.();
      c.engine = engine;
      c.engineOff =
        engine?.onChange(() => {
          c.menu.refresh();
          root.dispatchEvent(new CustomEvent("player:qualitychange", { bubbles: true }));
        }) ?? null;
      c.menu.refresh();
    },
    get theater() {
      return c.theater;
    },
    setTheater: (on) => setTheater(c, on),
    say: (text) => say(c, text),
    destroy() {
      lifetime.abort();
      c.engineOff?.();
      clearTimeout(c.toastTimer);
      c.menu.destroy();
    },
  };
}
