/**
 * The controls' shared state and the actions both the bar (`controls-view.ts`) and the keyboard
 * and menus (`controls.ts`) run: play/pause, seek, full screen, picture-in-picture, theater,
 * and `say` (the live region plus the toast on the picture).
 */
import { elementsOf, role } from "../../lib/dom.ts";
import type { Captions } from "./captions.ts";
import { clampTime } from "./keymap.ts";
import { writePref } from "./prefs.ts";
import type { QualityEngine } from "./quality-engine.ts";
import type { SettingsMenu } from "./settings-menu.ts";

export type ShortcutScope = "page" | "player" | "none";

export interface ControlsOptions {
  /** Theater mode is offered (a button and `t`). */
  theater: boolean;
  shortcuts: ShortcutScope;
  /** Frames per second, for `,` / `.` (30 when unknown). */
  fps(): number | undefined;
  /** The video is on screen (not processing, failed or gone): shortcuts act only then. */
  active(): boolean;
}

export const THEATER_KEY = "streamline.player.theater";

/** Everything one mounted set of controls holds. */
export interface ControlsState {
  root: HTMLElement;
  frame: HTMLElement;
  video: HTMLVideoElement;
  ui: HTMLElement;
  options: ControlsOptions;
  signal: AbortSignal;
  engine: QualityEngine | null;
  engineOff: (() => void) | null;
  captions: Captions;
  menu: SettingsMenu;
  toast: HTMLElement;
  announce: HTMLElement;
  toastTimer: ReturnType<typeof setTimeout> | undefined;
  theater: boolean;
}

export function controlElements(root: HTMLElement) {
  const $ = elementsOf(root, "player");
  return {
    frame: $(role("frame")),
    video: $("video", HTMLVideoElement),
    ui: $(role("ui")),
    play: $(role("play"), HTMLButtonElement),
    mute: $(role("mute"), HTMLButtonElement),
    volume: $(role("volume"), HTMLInputElement),
    timeCurrent: $(role("time-current")),
    timeTotal: $(role("time-total")),
    chapterTitle: $(role("chapter-title")),
    captions: $(role("captions"), HTMLButtonElement),
    settings: $(role("settings"), HTMLButtonElement),
    settingsMenu: $(role("settings-menu")),
    pip: $(role("pip"), HTMLButtonElement),
    theater: $(role("theater"), HTMLButtonElement),
    fullscreen: $(role("fullscreen"), HTMLButtonElement),
    toast: $(role("toast")),
    announce: $(role("announce")),
  };
}

export type ControlElements = ReturnType<typeof controlElements>;

export function say(c: ControlsState, text: string): void {
  c.announce.textContent = text;
  c.toast.textContent = text;
  c.toast.hidden = false;
  clearTimeout(c.toastTimer);
  c.toastTimer = setTimeout(() => {
    c.toast.hidden = true;
  }, 900);
}

export function togglePlay(c: ControlsState): void {
  if (c.video.paused || c.video.ended) void c.video.play().catch(() => undefined);
  else c.video.pause();
}

export function seekTo(c: ControlsState, seconds: number): void {
  c.video.currentTime = clampTime(seconds, c.video.duration);
}

export function toggleFullscreen(c: ControlsState): void {
  if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
  else if (c.frame.requestFullscreen) void c.frame.requestFullscreen().catch(() => undefined);
  else (c.video as HTMLVideoElement & { webkitEnterFullscreen?: () => void }).webkitEnterFullscreen?.();
}

export function togglePip(c: ControlsState): void {
  if (document.pictureInPictureElement) void document.exitPictureInPicture().catch(() => undefined);
  else void c.video.requestPictureInPicture?.().catch(() => undefined);
}

export function setTheater(c: ControlsState, on: boolean, remember = true): void {
  if (!c.options.theater) return;
  c.theater = on;
  if (on) c.root.dataset.theater = "true";
  else delete c.root.dataset.theater;
  if (on) document.documentElement.dataset.playerTheater = "true";
  else delete document.documentElement.dataset.playerTheater;
  c.root.querySelector(role("theater"))?.setAttribute("aria-pressed", String(on));
  if (remember) writePref(THEATER_KEY, on ? "1" : "0");
  c.root.dispatchEvent(new CustomEvent("player:theaterchange", { bubbles: true, detail: { theater: on } }));
}
