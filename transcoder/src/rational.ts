/**
 * Exact fractions for frame rates and aspect ratios (30000/1001, 32:27). A leaf module:
 * ffprobe parsing (ffmpeg/probe.ts) produces them, the ladder and the ffmpeg commands
 * consume them, and none of those has to import another for the type.
 */
export interface Rational {
  num: number;
  den: number;
}

export function fpsValue(r: Rational): number {
  return r.num / r.den;
}
