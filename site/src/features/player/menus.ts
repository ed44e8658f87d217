/**
 * What the player's menus offer and say, as pure functions: the quality list (Auto + each rung,
 * "Auto (720p)" while Auto plays 720p), the speeds, the caption tracks and styles, and the
 * labels the settings popover shows next to each entry. `controls.ts` renders them.
 */

export interface QualityLevel {
  height?: number | undefined;
  width?: number | undefined;
  bitrate?: number | undefined;
}

export interface MenuOption {
  /** The value handed back when chosen (a level index, a rate, a track index, a style). */
  value: string;
  label: string;
  checked: boolean;
}

export const SPEEDS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2] as const;

export const CAPTION_SIZES = ["small", "medium", "large", "x-large"] as const;
export type CaptionSize = (typeof CAPTION_SIZES)[number];
export const CAPTION_BACKGROUNDS = ["none", "translucent", "solid"] as const;
export type CaptionBackground = (typeof CAPTION_BACKGROUNDS)[number];

const SIZE_LABELS: Record<CaptionSize, string> = {
  small: "Small",
  medium: "Medium",
  large: "Large",
  "x-large": "Extra large",
};
const BACKGROUND_LABELS: Record<CaptionBackground, string> = {
  none: "None",
  translucent: "Translucent",
  solid: "Solid",
};

/** "720p" for a level; its bitrate when it has no height (an audio-only level). */
export function levelLabel(level: QualityLevel | undefined): string {
  if (!level) return "";
  if (level.height) return `${Math.min(level.height, level.width ?? level.height)}p`;
  if (level.bitrate) return `${Math.round(level.bitrate / 1000)} kb/s`;
  return "";
}

/** Video levels only, highest first, with their hls.js index. */
export function videoLevels(levels: readonly QualityLevel[]): { index: number; label: string }[] {
  return levels
    .map((level, index) => ({ index, level }))
    .filter(({ level }) => (level.height ?? 0) > 0)
    .sort(
      (a, b) =>
        (b.level.height ?? 0) - (a.level.height ?? 0) || (b.level.bitrate ?? 0) - (a.level.bitrate ?? 0),
    )
    .map(({ index, level }) => ({ index, label: levelLabel(level) }));
}

/** "Auto (720p)" while Auto plays 720p; "Auto" before the first level is picked. */
export function autoLabel(levels: readonly QualityLevel[], playing: number): string {
  const current = levelLabel(levels[playing]);
  return current ? `Auto (${current})` : "Auto";
}

/**
 * The quality menu: Auto first (value "-1"), then each rung. `manual` is the level picked by
 * hand (-1 for Auto); `playing` is the level on screen.
 */
export function qualityOptions(
  levels: readonly QualityLevel[],
  manual: number,
  playing: number,
): MenuOption[] {
  return [
    { value: "-1", label: autoLabel(levels, playing), checked: manual < 0 },
    ...videoLevels(levels).map(({ index, label }) => ({
      value: String(index),
      label,
      checked: manual === index,
    })),
  ];
}

/** The summary the settings popover shows beside "Quality". */
export function qualitySummary(levels: readonly QualityLevel[], manual: number, playing: number): string {
  return manual < 0 ? autoLabel(levels, playing) : levelLabel(levels[manual]);
}

export function speedLabel(rate: number): string {
  return rate === 1 ? "Normal" : `${rate}×`;
}

export function speedOptions(current: number): MenuOption[] {
  return SPEEDS.map((rate) => ({ value: String(rate), label: speedLabel(rate), checked: rate === current }));
}

/** The speed `steps` notches from `current` (`<` / `>`), kept within 0.25–2×. */
export function stepSpeed(current: number, steps: number): number {
  if (steps > 0) {
    const faster = SPEEDS.filter((rate) => rate > current + 1e-9);
    return faster[Math.min(steps, faster.length) - 1] ?? SPEEDS[SPEEDS.length - 1]!;
  }
  const slower = SPEEDS.filter((rate) => rate < current - 1e-9);
  return slower[Math.max(0, slower.length + steps)] ?? SPEEDS[0]!;
}

export interface CaptionTrack {
  label: string;
  language: string;
}

/** "English", or the language tag, or "Track 2". */
export function trackLabel(track: CaptionTrack, index: number): string {
  return track.label || track.language || `Track ${index + 1}`;
}

/** Off (value "-1") and each track; `showing` is the index of the showing track or -1. */
export function captionOptions(tracks: readonly CaptionTrack[], showing: number): MenuOption[] {
  return [
    { value: "-1", label: "Off", checked: showing < 0 },
    ...tracks.map((track, index) => ({
      value: String(index),
      label: trackLabel(track, index),
      checked: index === showing,
    })),
  ];
}

/** `c`: off turns the last used (or first) track on; on turns captions off. */
export function toggledCaption(showing: number, lastUsed: number, count: number): number {
  if (count === 0) return -1;
  if (showing >= 0) return -1;
  return lastUsed >= 0 && lastUsed < count ? lastUsed : 0;
}

export function captionSizeOptions(current: CaptionSize): MenuOption[] {
  return CAPTION_SIZES.map((size) => ({ value: size, label: SIZE_LABELS[size], checked: size === current }));
}

export function captionBackgroundOptions(current: CaptionBackground): MenuOption[] {
  return CAPTION_BACKGROUNDS.map((bg) => ({
    value: bg,
    label: BACKGROUND_LABELS[bg],
    checked: bg === current,
  }));
}

export function captionSizeLabel(size: CaptionSize): string {
  return SIZE_LABELS[size];
}

export function captionBackgroundLabel(bg: CaptionBackground): string {
  return BACKGROUND_LABELS[bg];
}

export interface CaptionStyle {
  size: CaptionSize;
  background: CaptionBackground;
}

export const DEFAULT_CAPTION_STYLE: CaptionStyle = { size: "medium", background: "translucent" };

/** A stored caption style, or the default for anything unreadable. */
export function parseCaptionStyle(raw: string | null): CaptionStyle {
  try {
    const parsed = JSON.parse(raw ?? "{}") as Partial<CaptionStyle>;
    return {
      size: CAPTION_SIZES.includes(parsed.size as CaptionSize) ? (parsed.size as CaptionSize) : "medium",
      background: CAPTION_BACKGROUNDS.includes(parsed.background as CaptionBackground)
        ? (parsed.background as CaptionBackground)
        : "translucent",
    };
  } catch {
    return { ...DEFAULT_CAPTION_STYLE };
  }
}
