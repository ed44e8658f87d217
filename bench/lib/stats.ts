/**
 * The benches' arithmetic: nearest-rank percentiles, latency summaries, and the least-squares
 * slope of a series (memory sampled over a run: "no upward trend" is a slope test, not a look).
 */
import { round } from "./results.ts";

/** Nearest-rank percentile of an ascending `sorted` list (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface LatencySummary {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** n, p50, p99 and max of unsorted milliseconds, rounded to 0.01 ms. */
export function summary(ms: readonly number[]): LatencySummary {
  const s = [...ms].sort((a, b) => a - b);
  return {
    n: s.length,
    p50Ms: round(percentile(s, 50)),
    p99Ms: round(percentile(s, 99)),
    maxMs: round(s.at(-1) ?? Number.NaN),
  };
}

/** Least-squares slope of y over x (units of y per unit of x); 0 for fewer than 2 distinct x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

export interface Trend {
  /** Fitted growth per minute, in the series' unit. */
  slopePerMin: number;
  /** Fitted growth over the whole run as a share of the series' mean (0.05 = 5 %). */
  growthShare: number;
  /** true when the fitted growth over the run stays under `tolerance` of the mean. */
  flat: boolean;
}

/**
 * Trend of a sampled series (t in seconds): the least-squares line's rise over the run,
 * compared with the mean. A warm-up (the first `skip` samples: JIT, caches, pools filling)
 * is left out, since a process that grows then stays flat has no leak.
 */
export function trend(
  samples: readonly { tSec: number; value: number }[],
  { tolerance = 0.05, skip = 1 }: { tolerance?: number; skip?: number } = {},
): Trend {
  const used = samples.length - skip >= 3 ? samples.slice(skip) : samples;
  const k = slope(used.map((s) => ({ x: s.tSec, y: s.value })));
  const mean = used.reduce((a, s) => a + s.value, 0) / Math.max(1, used.length);
  const span = used.length ? used.at(-1)!.tSec - used[0]!.tSec : 0;
  const growthShare = mean > 0 ? (k * span) / mean : 0;
  return { slopePerMin: round(k * 60, 3), growthShare: round(growthShare, 4), flat: growthShare < tolerance };
}
