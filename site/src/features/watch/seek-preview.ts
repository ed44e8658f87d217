/**
 * The seek bar with trick-play previews, laid over the bottom of the player just above the
 * native controls (which stay: they own play, volume, captions and fullscreen). Hovering or
 * dragging shows the sprite tile and time for that point; releasing seeks. It is a real
 * slider for keyboards and screen readers (arrows ±5 s, Page Up/Down ±10 %, Home/End), and
 * it only appears when the video has a trick-play track (`VideoDto.trickplayUrl`).
 *
 * The track is fetched once per file; a new delivery token for the same file (the stage
 * refreshes playback before tokens expire) only changes the base that sprites resolve against.
 */

import { withToken } from "../../lib/delivery-token.ts";
import { formatDuration } from "../../lib/format.ts";
import { cueAt, parseTrickplayVtt, spriteUrl, type TrickplayCue } from "./trickplay.ts";

export interface SeekPreviewParts {
  /** The whole overlay (hidden while there is no track). */
  root: HTMLElement;
  /** role=slider. */
  track: HTMLElement;
  played: HTMLElement;
  /** Where the pointer is. */
  marker: HTMLElement;
  tooltip: HTMLElement;
  /** The tile's frame (display size) and, inside it, the sprite at its own scale. */
  thumb: HTMLElement;
  thumbImage: HTMLElement;
  time: HTMLElement;
}

export interface SeekPreview {
  /** The video's current `trickplayUrl` (null: no previews, the bar goes away). */
  setSource(url: string | null): void;
  destroy(): void;
}

const SMALL_STEP_SEC = 5;
const LARGE_STEP_FRACTION = 0.1;
/** Largest preview shown; bigger tiles (portrait videos: 160×284) are scaled down to fit. */
const MAX_PREVIEW = { width: 192, height: 160 };
/** Hide the bar (like the native controls) after this long without pointer movement while playing. */
const IDLE_MS = 2_500;
/** After a key press, keep the preview up this long. */
const KEY_PREVIEW_MS = 1_200;

/** 0–1 along the track for a pointer at `clientX`. */
export function fractionAt(clientX: number, rect: { left: number; width: number }): number {
  if (!(rect.width > 0)) return 0;
  return Math.min(1, Math.max(0, (clientX - rect.left) / rect.width));
}

/** Left offset (px) that centres the tooltip on the point but keeps it inside the track. */
export function tooltipLeft(fraction: number, trackWidth: number, tooltipWidth: number): number {
  const centred = fraction * trackWidth - tooltipWidth / 2;
  return Math.round(Math.min(Math.max(0, trackWidth - tooltipWidth), Math.max(0, centred)));
}

/** Display size of a `w`×`h` tile inside `max`: never enlarged, aspect kept. */
export function previewSize(
  w: number,
  h: number,
  max: { width: number; height: number } = MAX_PREVIEW,
): { width: number; height: number; scale: number } {
  const scale = Math.min(1, max.width / w, max.height / h);
  return { width: Math.round(w * scale), height: Math.round(h * scale), scale };
}

/** Where a key moves the playhead, or null when the key is not a seek key. */
export function keyboardSeek(key: string, current: number, duration: number): number | null {
  if (!(duration > 0)) return null;
  const large = duration * LARGE_STEP_FRACTION;
  const target: Record<string, number> = {
    ArrowLeft: current - SMALL_STEP_SEC,
    ArrowDown: current - SMALL_STEP_SEC,
    ArrowRight: current + SMALL_STEP_SEC,
    ArrowUp: current + SMALL_STEP_SEC,
    PageDown: current - large,
    PageUp: current + large,
    Home: 0,
    End: duration,
  };
  const next = target[key];
  return next === undefined ? null : Math.min(duration, Math.max(0, next));
}

/** A delivery URL with its token blanked: equal for the same file under different tokens. */
function fileKey(url: string): string {
  return withToken(url, "-", location.href);
}

export function mountSeekPreview(
  parts: SeekPreviewParts,
  video: HTMLVideoElement,
  frame: HTMLElement,
): SeekPreview {
  const { root, track, played, marker, tooltip, thumb, thumbImage, time } = parts;
  let cues: TrickplayCue[] = [];
  let vttUrl: string | null = null;
  let loadedKey: string | null = null;
  /** The newest URL handed in (its token is the freshest). */
  let latestUrl: string | null = null;
  let loading: { key: string; controller: AbortController } | null = null;
  let dragging = false;
  let hovering = false;
  let focused = false;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let keyTimer: ReturnType<typeof setTimeout> | undefined;
  const cleanup = new AbortController();
  const on = <K extends keyof HTMLElementEventMap>(
    target: HTMLElement,
    type: K,
    fn: (event: HTMLElementEventMap[K]) => void,
  ) => target.addEventListener(type, fn, { signal: cleanup.signal });

  const duration = () => {
    if (Number.isFinite(video.duration) && video.duration > 0) return video.duration;
    return cues.at(-1)?.end ?? 0;
  };

  const renderPlayhead = () => {
    const total = duration();
    const now = Math.min(video.currentTime, total);
    if (!dragging) played.style.width = total > 0 ? `${(now / total) * 100}%` : "0%";
    track.setAttribute("aria-valuemax", String(Math.round(total)));
    track.setAttribute("aria-valuenow", String(Math.round(now)));
    track.setAttribute("aria-valuetext", `${formatDuration(now)} of ${formatDuration(total)}`);
  };

  const showPreview = (fraction: number) => {
    const total = duration();
    const at = fraction * total;
    const cue = cueAt(cues, at);
    if (!cue || !vttUrl) return;
    const size = previewSize(cue.w, cue.h);
    thumb.style.width = `${size.width}px`;
    thumb.style.height = `${size.height}px`;
    thumbImage.style.width = `${cue.w}px`;
    thumbImage.style.height = `${cue.h}px`;
    thumbImage.style.transform = size.scale < 1 ? `scale(${size.scale})` : "";
    thumbImage.style.backgroundImage = `url("${CSS.escape(spriteUrl(cue, vttUrl, location.href))}")`;
    thumbImage.style.backgroundPosition = `-${cue.x}px -${cue.y}px`;
    time.textContent = formatDuration(at);
    tooltip.hidden = false;
    const width = track.getBoundingClientRect().width;
    tooltip.style.left = `${tooltipLeft(fraction, width, tooltip.offsetWidth || size.width)}px`;
    marker.style.left = `${fraction * 100}%`;
    marker.hidden = false;
    root.dataset.previewing = "true";
  };

  const hidePreview = () => {
    if (dragging || hovering) return;
    tooltip.hidden = true;
    marker.hidden = true;
    delete root.dataset.previewing;
  };

  const fractionOf = (event: PointerEvent) => fractionAt(event.clientX, track.getBoundingClientRect());

  // ---- pointer: hover previews, drag previews, release seeks ----------------------------------
  on(track, "pointerenter", () => {
    hovering = true;
  });
  on(track, "pointermove", (event) => {
    const fraction = fractionOf(event);
    showPreview(fraction);
    if (dragging) played.style.width = `${fraction * 100}%`;
  });
  on(track, "pointerleave", () => {
    hovering = false;
    hidePreview();
  });
  on(track, "pointerdown", (event) => {
    if (event.button !== 0 || duration() <= 0) return;
    event.preventDefault();
    track.focus({ preventScroll: true });
    track.setPointerCapture(event.pointerId);
    dragging = true;
    root.dataset.dragging = "true";
    const fraction = fractionOf(event);
    showPreview(fraction);
    played.style.width = `${fraction * 100}%`;
  });
  const endDrag = (event: PointerEvent, commit: boolean) => {
    if (!dragging) return;
    dragging = false;
    delete root.dataset.dragging;
    if (commit) video.currentTime = fractionOf(event) * duration();
    if (!track.matches(":hover")) hovering = false;
    hidePreview();
    renderPlayhead();
  };
  on(track, "pointerup", (event) => endDrag(event, true));
  on(track, "pointercancel", (event) => endDrag(event, false));

  // ---- keyboard: a standard slider -------------------------------------------------------------
  on(track, "keydown", (event) => {
    const next = keyboardSeek(event.key, video.currentTime, duration());
    if (next === null) return;
    event.preventDefault();
    video.currentTime = next;
    showPreview(next / duration());
    clearTimeout(keyTimer);
    keyTimer = setTimeout(() => {
      if (!focused) hidePreview();
    }, KEY_PREVIEW_MS);
    renderPlayhead();
  });
  on(track, "focus", () => {
    focused = true;
  });
  on(track, "blur", () => {
    focused = false;
    hidePreview();
  });

  // ---- the bar follows the native controls: out of the way while watching ----------------------
  const wake = () => {
    delete frame.dataset.idle;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (!video.paused && !dragging) frame.dataset.idle = "true";
    }, IDLE_MS);
  };
  on(frame, "pointermove", wake);
  on(frame, "pointerdown", wake);
  on(frame, "keydown", wake);
  for (const type of ["timeupdate", "durationchange", "loadedmetadata", "seeked"] as const) {
    video.addEventListener(type, renderPlayhead, { signal: cleanup.signal });
  }
  video.addEventListener("pause", wake, { signal: cleanup.signal });

  const clear = () => {
    loading?.controller.abort();
    loading = null;
    cues = [];
    vttUrl = null;
    latestUrl = null;
    loadedKey = null;
    root.hidden = true;
  };

  return {
    setSource(url) {
      if (!url) return clear();
      latestUrl = url;
      const key = fileKey(url);
      if (key === loadedKey) {
        vttUrl = url; // same file, fresh token
        return;
      }
      if (key === loading?.key) return; // it will use latestUrl when it lands
      loading?.controller.abort();
      const current = { key, controller: new AbortController() };
      loading = current;
      fetch(url, { credentials: "same-origin", signal: current.controller.signal })
        .then((res) => (res.ok ? res.text() : Promise.reject(new Error(`HTTP ${res.status}`))))
        .then((text) => {
          if (current.controller.signal.aborted) return;
          cues = parseTrickplayVtt(text);
          vttUrl = latestUrl;
          loadedKey = key;
          root.hidden = cues.length === 0;
          root.dataset.cues = String(cues.length);
          renderPlayhead();
        })
        .catch(() => {
          // No previews is a fine fallback: the native seek bar still works.
          if (!current.controller.signal.aborted) root.hidden = true;
        })
        .finally(() => {
          if (loading === current) loading = null;
        });
    },
    destroy() {
      cleanup.abort();
      clearTimeout(idleTimer);
      clearTimeout(keyTimer);
      clear();
    },
  };
}
