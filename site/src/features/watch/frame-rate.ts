/**
 * The frame rate `,` / `.` step by (ADR 0018): the rung on screen as the master playlist states
 * it (hls.js reads `FRAME-RATE` into each level), else the video's rendition of the picture's
 * height from the DTO, else its first video rendition; undefined when nothing says (the keymap
 * then falls back to 30 fps).
 */
import type { VideoDto } from "../../lib/api.ts";

export interface PlayingLevels {
  levels(): { height?: number; frameRate?: number }[];
  playing(): number;
}

const usable = (fps: number | undefined): fps is number =>
  typeof fps === "number" && Number.isFinite(fps) && fps > 0;

export function frameRateOf(
  engine: PlayingLevels | null,
  video: Pick<VideoDto, "renditions"> | null,
  pictureHeight = 0,
): number | undefined {
  const level = engine ? engine.levels()[engine.playing()] : undefined;
  if (usable(level?.frameRate)) return level.frameRate;
  const rungs = (video?.renditions ?? []).filter((r) => r.kind !== "audio" && usable(r.frameRate));
  const height = level?.height || pictureHeight;
  const match = rungs.find((r) => r.height === height) ?? rungs[0];
  return match?.frameRate;
}
