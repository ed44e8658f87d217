/**
 * The player's seek bar: played and buffered ranges, chapter boundaries (`VideoDto.chapters`),
 * and trick-play previews. Hovering or dragging shows the time (and chapter) for that point,
 * with the sprite tile when the video has a trick-play track (`VideoDto.trickplayUrl`;
 * `data-previews="ready"` once it loaded); releasing seeks. It is a real slider for keyboards
 * and screen readers (arrows ±5 s, Page Up/Down ±10 %, Home/End).
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
  buffered: HTMLElement;
  /** The chapter boundaries drawn on the rail. */
  chapterMarks: HTMLElement;
  /** The chapter under the pointer, in the tooltip. */
  chapterLabel: HTMLElement;
  /** The chapter playing, in the control bar. */
  chapterTitle: HTMLElement;
}

export interface Chapter {
  startSec: number;
  title: string;
}

export interface SeekPreview {
  /** The video's current `trickplayUrl` (null: no thumbnails; the bar still seeks). */
  setSource(url: string | null): void;
  setChapters(chapters: readonly Chapter[]): void;
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

/** The chapter at `time` (chapters sorted by start), or null. */
export function chapterAt(chapters: readonly Chapter[], time: number): Chapter | null {
  let found: Chapter | null = null;
  for (const chapter of chapters) {
    if (chapter.startSec <= time) found = chapter;
    else break;
  }
  return found;
}

/** The end of the buffered range holding `time` (0 when none does). */
export function bufferedEnd(
  ranges: { length: number; start(i: number): number; end(i: number): number },
  time: number,
): number {
  for (let i = 0; i < ranges.length; i++) {
    if (ranges.start(i) <= time + 0.5 && time <= ranges.end(i)) return ranges.end(i);
  }
  return 0;
}

/** A delivery URL with its token blanked: equal for the same file under different tokens. */
function fileKey(url: string): string {
  return withToken(url, "-", location.href);
}

/** One mounted bar: its elements, the loaded track and what the pointer and keyboard are doing. */
interface Bar {
  readonly parts: SeekPreviewParts;
  readonly video: HTMLVideoElement;
  readonly frame: HTMLElement;
  /** Removes every listener at once. */
  readonly cleanup: AbortController;
  cues: TrickplayCue[];
  chapters: readonly Chapter[];
  /** The track's URL sprites resolve against (the newest token for the loaded file). */
  vttUrl: string | null;
  loadedKey: string | null;
  /** The newest URL handed in (its token is the freshest). */
  latestUrl: string | null;
  loading: { key: string; controller: AbortController } | null;
  dragging: boolean;
  hovering: boolean;
  focused: boolean;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  keyTimer: ReturnType<typeof setTimeout> | undefined;
}

type Listen = <K extends keyof HTMLElementEventMap>(
  target: HTMLElement,
  type: K,
  fn: (event: HTMLElementEventMap[K]) => void,
) => void;

export function mountSeekPreview(
  parts: SeekPreviewParts,
  video: HTMLVideoElement,
  frame: HTMLElement,
): SeekPreview {
  const bar: Bar = {
    parts,
    video,
    frame,
    cleanup: new AbortController(),
    cues: [],
    chapters: [],
    vttUrl: null,
    loadedKey: null,
    latestUrl: null,
    loading: null,
    dragging: false,
    hovering: false,
    focused: false,
    idleTimer: undefined,
    keyTimer: undefined,
  };
  const on: Listen = (target, type, fn) => target.addEventListener(type, fn, { signal: bar.cleanup.signal });
  bindPointer(bar, on);
  bindKeyboard(bar, on);
  bindIdle(bar, on);
  return {
    setSource: (url) => setSource(bar, url),
    setChapters: (chapters) => setChapters(bar, chapters),
    destroy() {
      bar.cleanup.abort();
      clearTimeout(bar.idleTimer);
      clearTimeout(bar.keyTimer);
      clearSource(bar);
    },
  };
}

function duration({ video, cues }: Bar): number {
  if (Number.isFinite(video.duration) && video.duration > 0) return video.duration;
  return cues.at(-1)?.end ?? 0;
}

function setChapters(bar: Bar, chapters: readonly Chapter[]) {
  const key = JSON.stringify(chapters);
  if (key === bar.parts.chapterMarks.dataset.key) return;
  bar.parts.chapterMarks.dataset.key = key;
  bar.chapters = [...chapters].sort((a, b) => a.startSec - b.startSec);
  renderChapterMarks(bar);
}

function renderChapterMarks(bar: Bar) {
  const total = duration(bar);
  const marks = total > 0 ? bar.chapters.filter((c) => c.startSec > 0 && c.startSec < total) : [];
  bar.parts.chapterMarks.replaceChildren(
    ...marks.map((chapter) => {
      const mark = document.createElement("span");
      mark.style.left = `${(chapter.startSec / total) * 100}%`;
      return mark;
    }),
  );
}

function renderPlayhead(bar: Bar) {
  const { track, played, buffered, chapterTitle } = bar.parts;
  const total = duration(bar);
  const now = Math.min(bar.video.currentTime, total);
  if (!bar.dragging) played.style.width = total > 0 ? `${(now / total) * 100}%` : "0%";
  const ahead = bufferedEnd(bar.video.buffered, bar.video.currentTime);
  buffered.style.width = total > 0 ? `${Math.min(100, (ahead / total) * 100)}%` : "0%";
  // Chapters can arrive before the media knows its length: draw them once it does.
  if (total > 0 && bar.chapters.length > 1 && bar.parts.chapterMarks.childElementCount === 0)
    renderChapterMarks(bar);
  const chapter = chapterAt(bar.chapters, now);
  if (chapterTitle.textContent !== (chapter?.title ?? "")) chapterTitle.textContent = chapter?.title ?? "";
  track.setAttribute("aria-valuemax", String(Math.round(total)));
  track.setAttribute("aria-valuenow", String(Math.round(now)));
  track.setAttribute("aria-valuetext", `${formatDuration(now)} of ${formatDuration(total)}`);
}

function showPreview(bar: Bar, fraction: number) {
  const { root, track, marker, tooltip, time, chapterLabel } = bar.parts;
  const total = duration(bar);
  if (!(total > 0)) return;
  const at = fraction * total;
  const size = drawThumb(bar, at);
  const chapter = chapterAt(bar.chapters, at);
  chapterLabel.textContent = chapter?.title ?? "";
  chapterLabel.hidden = !chapter;
  time.textContent = formatDuration(at) || "0:00";
  tooltip.hidden = false;
  const width = track.getBoundingClientRect().width;
  tooltip.style.left = `${tooltipLeft(fraction, width, tooltip.offsetWidth || size?.width || 48)}px`;
  marker.style.left = `${fraction * 100}%`;
  marker.hidden = false;
  root.dataset.previewing = "true";
}

/** The sprite tile for `at`; its display size, or null without a track. */
function drawThumb(bar: Bar, at: number): { width: number } | null {
  const { thumb, thumbImage } = bar.parts;
  const cue = cueAt(bar.cues, at);
  if (!cue || !bar.vttUrl) return null;
  const size = previewSize(cue.w, cue.h);
  thumb.style.width = `${size.width}px`;
  thumb.style.height = `${size.height}px`;
  thumbImage.style.width = `${cue.w}px`;
  thumbImage.style.height = `${cue.h}px`;
  thumbImage.style.transform = size.scale < 1 ? `scale(${size.scale})` : "";
  thumbImage.style.backgroundImage = `url("${CSS.escape(spriteUrl(cue, bar.vttUrl, location.href))}")`;
  thumbImage.style.backgroundPosition = `-${cue.x}px -${cue.y}px`;
  return size;
}

function hidePreview(bar: Bar) {
  if (bar.dragging || bar.hovering) return;
  bar.parts.tooltip.hidden = true;
  bar.parts.marker.hidden = true;
  delete bar.parts.root.dataset.previewing;
}

const fractionOf = (bar: Bar, event: PointerEvent) =>
  fractionAt(event.clientX, bar.parts.track.getBoundingClientRect());

/** Pointer: hover previews, drag previews, release seeks. */
function bindPointer(bar: Bar, on: Listen) {
  const { track, played, root } = bar.parts;
  on(track, "pointerenter", () => {
    bar.hovering = true;
  });
  on(track, "pointermove", (event) => {
    const fraction = fractionOf(bar, event);
    showPreview(bar, fraction);
    if (bar.dragging) played.style.width = `${fraction * 100}%`;
  });
  on(track, "pointerleave", () => {
    bar.hovering = false;
    hidePreview(bar);
  });
  on(track, "pointerdown", (event) => {
    if (event.button !== 0 || duration(bar) <= 0) return;
    event.preventDefault();
    track.focus({ preventScroll: true });
    track.setPointerCapture(event.pointerId);
    bar.dragging = true;
    root.dataset.dragging = "true";
    const fraction = fractionOf(bar, event);
    showPreview(bar, fraction);
    played.style.width = `${fraction * 100}%`;
  });
  on(track, "pointerup", (event) => endDrag(bar, event, true));
  on(track, "pointercancel", (event) => endDrag(bar, event, false));
}

function endDrag(bar: Bar, event: PointerEvent, commit: boolean) {
  if (!bar.dragging) return;
  bar.dragging = false;
  delete bar.parts.root.dataset.dragging;
  if (commit) bar.video.currentTime = fractionOf(bar, event) * duration(bar);
  if (!bar.parts.track.matches(":hover")) bar.hovering = false;
  hidePreview(bar);
  renderPlayhead(bar);
}

/** Keyboard: a standard slider. */
function bindKeyboard(bar: Bar, on: Listen) {
  const { track } = bar.parts;
  on(track, "keydown", (event) => {
    const next = keyboardSeek(event.key, bar.video.currentTime, duration(bar));
    if (next === null) return;
    event.preventDefault();
    bar.video.currentTime = next;
    showPreview(bar, next / duration(bar));
    clearTimeout(bar.keyTimer);
    bar.keyTimer = setTimeout(() => {
      if (!bar.focused) hidePreview(bar);
    }, KEY_PREVIEW_MS);
    renderPlayhead(bar);
  });
  on(track, "focus", () => {
    bar.focused = true;
  });
  on(track, "blur", () => {
    bar.focused = false;
    hidePreview(bar);
  });
}

/** The bar follows the native controls: out of the way while watching. */
function bindIdle(bar: Bar, on: Listen) {
  const { frame, video } = bar;
  const wake = () => {
    delete frame.dataset.idle;
    clearTimeout(bar.idleTimer);
    bar.idleTimer = setTimeout(() => {
      if (!video.paused && !bar.dragging) frame.dataset.idle = "true";
    }, IDLE_MS);
  };
  on(frame, "pointermove", wake);
  on(frame, "pointerdown", wake);
  on(frame, "keydown", wake);
  const signal = bar.cleanup.signal;
  for (const type of ["timeupdate", "durationchange", "loadedmetadata", "seeked", "progress"] as const) {
    video.addEventListener(type, () => renderPlayhead(bar), { signal });
  }
  video.addEventListener("durationchange", () => renderChapterMarks(bar), { signal });
  video.addEventListener("pause", wake, { signal });
}

function clearSource(bar: Bar) {
  bar.loading?.controller.abort();
  bar.loading = null;
  bar.cues = [];
  bar.vttUrl = null;
  bar.latestUrl = null;
  bar.loadedKey = null;
  delete bar.parts.root.dataset.previews;
}

function setSource(bar: Bar, url: string | null) {
  if (!url) return clearSource(bar);
  bar.latestUrl = url;
  const key = fileKey(url);
  if (key === bar.loadedKey) {
    bar.vttUrl = url; // same file, fresh token
    return;
  }
  if (key === bar.loading?.key) return; // it will use latestUrl when it lands
  bar.loading?.controller.abort();
  const current = { key, controller: new AbortController() };
  bar.loading = current;
  void loadTrack(bar, url, current);
}

async function loadTrack(bar: Bar, url: string, current: { key: string; controller: AbortController }) {
  const { root } = bar.parts;
  const { signal } = current.controller;
  try {
    const res = await fetch(url, { credentials: "same-origin", signal });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    if (signal.aborted) return;
    bar.cues = parseTrickplayVtt(text);
    bar.vttUrl = bar.latestUrl;
    bar.loadedKey = current.key;
    if (bar.cues.length > 0) root.dataset.previews = "ready";
    else delete root.dataset.previews;
    root.dataset.cues = String(bar.cues.length);
    renderPlayhead(bar);
  } catch {
    // No thumbnails is a fine fallback: the bar still shows times and seeks.
    if (!signal.aborted) delete root.dataset.previews;
  } finally {
    if (bar.loading === current) bar.loading = null;
  }
}
