/**
 * The control bar's wiring: buttons and the volume slider act on the <video>, and the media's
 * own events (play, pause, volume, time, full screen, picture-in-picture, stalls) are mirrored
 * on the stage root and in the buttons' ARIA names, so what a screen reader hears matches
 * what is drawn.
 */
import { formatDuration } from "../../lib/format.ts";
import {
  type ControlElements,
  type ControlsState,
  say,
  setTheater,
  toggleFullscreen,
  togglePip,
  togglePlay,
} from "./controls-core.ts";

/** `1:05`, never empty (`0:00` before the media says anything). */
export function formatClock(seconds: number): string {
  return formatDuration(seconds) || "0:00";
}

function flag(root: HTMLElement, name: string, on: boolean): void {
  if (on) root.dataset[name] = "true";
  else delete root.dataset[name];
}

export function bindButtons(c: ControlsState, el: ControlElements): void {
  const opts = { signal: c.signal };
  el.play.addEventListener("click", () => togglePlay(c), opts);
  el.mute.addEventListener(
    "click",
    () => {
      c.video.muted = !c.video.muted;
      if (!c.video.muted && c.video.volume === 0) c.video.volume = 0.5;
    },
    opts,
  );
  el.volume.addEventListener(
    "input",
    () => {
      c.video.volume = Number(el.volume.value);
      c.video.muted = c.video.volume === 0;
    },
    opts,
  );
  el.fullscreen.addEventListener("click", () => toggleFullscreen(c), opts);
  el.pip.addEventListener("click", () => togglePip(c), opts);
  el.theater.addEventListener("click", () => setTheater(c, !c.theater), opts);
  bindPicture(c);
}

/** A click on the picture plays or pauses; a double click goes full screen. A tap on a phone
 * while the controls are hidden only brings them back. */
function bindPicture(c: ControlsState): void {
  const opts = { signal: c.signal };
  let wasIdle = false;
  c.frame.addEventListener(
    "pointerdown",
    (event) => {
      wasIdle = event.pointerType === "touch" && c.frame.dataset.idle === "true";
    },
    { ...opts, capture: true },
  );
  c.video.addEventListener(
    "click",
    () => {
      if (wasIdle) return;
      togglePlay(c);
    },
    opts,
  );
  c.video.addEventListener("dblclick", () => toggleFullscreen(c), opts);
}

function renderTime(c: ControlsState, el: ControlElements): void {
  el.timeCurrent.textContent = formatClock(c.video.currentTime);
  const total = Number.isFinite(c.video.duration) ? c.video.duration : 0;
  el.timeTotal.textContent = formatClock(total);
}

function renderVolume(c: ControlsState, el: ControlElements): void {
  const muted = c.video.muted || c.video.volume === 0;
  flag(c.root, "muted", muted);
  el.mute.setAttribute("aria-label", muted ? "Unmute (m)" : "Mute (m)");
  el.volume.value = String(muted ? 0 : c.video.volume);
  el.volume.setAttribute("aria-valuetext", muted ? "Muted" : `${Math.round(c.video.volume * 100)}%`);
}

function renderPlaying(c: ControlsState, el: ControlElements): void {
  const paused = c.video.paused || c.video.ended;
  c.root.dataset.paused = String(paused);
  el.play.setAttribute("aria-label", paused ? "Play (k)" : "Pause (k)");
}

export function bindMediaState(c: ControlsState, el: ControlElements): void {
  const { video, root } = c;
  const opts = { signal: c.signal };
  const on = (types: string[], fn: () => void) => {
    for (const type of types) video.addEventListener(type, fn, opts);
  };
  on(["play", "pause", "ended", "emptied"], () => renderPlaying(c, el));
  on(["pause"], () => video.ended || say(c, "Paused"));
  on(["play"], () => {
    c.announce.textContent = "Playing";
  });
  on(["timeupdate", "durationchange", "loadedmetadata", "seeked"], () => renderTime(c, el));
  on(["volumechange"], () => renderVolume(c, el));
  on(["waiting", "stalled"], () => flag(root, "buffering", !video.paused));
  on(["playing", "canplay", "pause", "seeked"], () => flag(root, "buffering", false));
  on(["loadedmetadata", "emptied"], () => {
    el.pip.hidden = !document.pictureInPictureEnabled || video.disablePictureInPicture;
  });
  on(["enterpictureinpicture", "leavepictureinpicture"], () => {
    el.pip.setAttribute("aria-pressed", String(document.pictureInPictureElement === video));
  });
  document.addEventListener(
    "fullscreenchange",
    () => {
      const full = document.fullscreenElement === c.frame;
      flag(root, "fullscreen", full);
      el.fullscreen.setAttribute("aria-label", full ? "Exit full screen (f)" : "Full screen (f)");
    },
    opts,
  );
  renderPlaying(c, el);
  renderVolume(c, el);
  renderTime(c, el);
}
