/**
 * What the quality menu needs from the playback engine (`watch/hls-player.ts` implements it over
 * hls.js; native HLS has none). Kept here so the player folder never reaches back into watch/.
 */
export interface QualityEngine {
  levels(): { height?: number; width?: number; bitrate?: number; frameRate?: number }[];
  /** The level picked by hand, -1 for Auto. */
  manual(): number;
  /** The level on screen (in Auto, the one Auto chose), -1 before the first. */
  playing(): number;
  /** A level index, or -1 for Auto; switches at once (the buffer ahead is replaced). */
  choose(index: number): void;
  /** Levels listed or switched; returns the unsubscribe. */
  onChange(fn: () => void): () => void;
}
