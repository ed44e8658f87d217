/**
 * Chart geometry for the analytics SVGs (ADR 0023: hand-written SVG, no chart library): pure
 * functions from numbers to coordinates and path data, so the tests check the drawing itself
 * and the page only turns the result into elements styled by the theme's CSS variables.
 */

export interface Box {
  width: number;
  height: number;
  /** Room for the y-axis labels on the left and the x-axis labels below. */
  left: number;
  bottom: number;
  top: number;
  right: number;
}

export const CHART_BOX: Box = { width: 640, height: 220, left: 44, bottom: 24, top: 8, right: 8 };

/** A round axis maximum ≥ `max`: 1, 2, 2.5 or 5 × a power of ten (at least 1). */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
}

const plotWidth = (b: Box) => b.width - b.left - b.right;
const plotHeight = (b: Box) => b.height - b.top - b.bottom;

/** One bar per value, from the baseline up, scaled to `niceMax` of the values. */
export function bars(values: number[], box: Box = CHART_BOX): { bars: Bar[]; max: number } {
  const max = niceMax(Math.max(0, ...values));
  const slot = plotWidth(box) / Math.max(1, values.length);
  const gap = Math.min(2, slot * 0.2);
  const h = plotHeight(box);
  return {
    max,
    bars: values.map((value, i) => {
      const height = (value / max) * h;
      return { x: box.left + i * slot + gap / 2, y: box.top + h - height, width: slot - gap, height, value };
    }),
  };
}

/** A line through the values (evenly spaced), and the area under it, scaled to `max`. */
export function line(values: number[], max: number, box: Box = CHART_BOX): { line: string; area: string } {
  if (values.length === 0) return { line: "", area: "" };
  const h = plotHeight(box);
  const step = plotWidth(box) / Math.max(1, values.length - 1);
  const points = values.map(
    (v, i) => [box.left + i * step, box.top + h - (Math.min(v, max) / max) * h] as const,
  );
  const fmt = (n: number) => Math.round(n * 10) / 10;
  const path = points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${fmt(x)},${fmt(y)}`).join(" ");
  const base = fmt(box.top + h);
  const last = points[points.length - 1]!;
  return { line: path, area: `${path} L${fmt(last[0])},${base} L${fmt(points[0]![0])},${base} Z` };
}

/** Horizontal gridlines at 0, ½ and the maximum: y position and label value. */
export function gridlines(max: number, box: Box = CHART_BOX): { y: number; value: number }[] {
  const h = plotHeight(box);
  return [0, 0.5, 1].map((f) => ({ y: box.top + h - f * h, value: max * f }));
}

/** Indices of the x labels: first, middle and last (fewer for short series). */
export function labelIndices(count: number): number[] {
  if (count <= 0) return [];
  return [...new Set([0, Math.floor((count - 1) / 2), count - 1])];
}
