/**
 * The player's keyboard map, as YouTube viewers expect it. Pure: a key press (and whether the
 * video is paused) in, an action out; `controls.ts` applies the action. Keys typed into a
 * form field, or pressed with Ctrl/Alt/Meta, are never taken (`isTypingTarget`, `keyAction`).
 */

export type PlayerAction =
  | { type: "toggle-play" }
  | { type: "seek-by"; seconds: number }
  | { type: "seek-to-fraction"; fraction: number }
  | { type: "volume-by"; delta: number }
  | { type: "toggle-mute" }
  | { type: "toggle-fullscreen" }
  | { type: "toggle-captions" }
  | { type: "toggle-theater" }
  | { type: "frame-step"; frames: number }
  | { type: "speed-step"; steps: number };

export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
}

export const SEEK_SHORT_SEC = 5;
export const SEEK_LONG_SEC = 10;
export const VOLUME_STEP = 0.05;

const FIXED: Record<string, PlayerAction> = {
  " ": { type: "toggle-play" },
  k: { type: "toggle-play" },
  j: { type: "seek-by", seconds: -SEEK_LONG_SEC },
  l: { type: "seek-by", seconds: SEEK_LONG_SEC },
  ArrowLeft: { type: "seek-by", seconds: -SEEK_SHORT_SEC },
  ArrowRight: { type: "seek-by", seconds: SEEK_SHORT_SEC },
  ArrowUp: { type: "volume-by", delta: VOLUME_STEP },
  ArrowDown: { type: "volume-by", delta: -VOLUME_STEP },
  f: { type: "toggle-fullscreen" },
  m: { type: "toggle-mute" },
  c: { type: "toggle-captions" },
  t: { type: "toggle-theater" },
  "<": { type: "speed-step", steps: -1 },
  ">": { type: "speed-step", steps: 1 },
};

/**
 * The action for a key, or null when the player does not take it. `,` and `.` step one
 * frame only while paused (as on YouTube; playing, they do nothing).
 */
export function keyAction(press: KeyPress, paused: boolean): PlayerAction | null {
  if (press.ctrlKey || press.altKey || press.metaKey) return null;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  // `<` and `>` are shifted keys; compare them as typed.
  const fixed = FIXED[press.key] ?? FIXED[key];
  if (fixed) return fixed;
  if (/^[0-9]$/.test(key)) return { type: "seek-to-fraction", fraction: Number(key) / 10 };
  if (key === "," || key === ".") return paused ? { type: "frame-step", frames: key === "," ? -1 : 1 } : null;
  return null;
}

/** A key pressed here is the person typing, not a shortcut. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== "function") return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  return el.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']") !== null;
}

/**
 * Space and Enter on a focused button, link or menu item activate it; arrows on a slider move
 * it. Those keys stay with the focused control instead of becoming shortcuts.
 */
export function keyBelongsToControl(key: string, target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== "function") return false;
  const el = target as Element;
  if ((key === " " || key === "Enter") && el.closest("button, a[href], [role^='menuitem']")) return true;
  return (
    key.startsWith("Arrow") && el.closest("[role='menu'], [role='slider'], input[type='range']") !== null
  );
}

/** Seconds one frame lasts; 30 fps when the video does not say. */
export function frameDuration(fps: number | null | undefined): number {
  return fps && fps > 0 && fps <= 240 ? 1 / fps : 1 / 30;
}

/** Clamp a seek target into the media. */
export function clampTime(seconds: number, duration: number): number {
  const end = Number.isFinite(duration) && duration > 0 ? duration : Number.POSITIVE_INFINITY;
  return Math.min(end, Math.max(0, seconds));
}
