import { describe, expect, it } from "vitest";
import { percentile, slope, summary, trend } from "./stats.ts";

describe("percentile (nearest rank)", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it("returns the value at rank ⌈p·n⌉", () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7, 8, 9], 50)).toBe(8);
  });

  it("clamps to the list and is NaN when empty", () => {
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([1, 2], 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("summary", () => {
  it("sorts its input and rounds", () => {
    expect(summary([3.333, 1, 2])).toEqual({ n: 3, p50Ms: 2, p99Ms: 3.33, maxMs: 3.33 });
  });
});

describe("slope", () => {
  it("fits a line by least squares", () => {
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 2 * x + 5 })))).toBeCloseTo(2);
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 10 - x })))).toBeCloseTo(-1);
    // Noise around a flat line has a small slope, not zero.
    expect(Math.abs(slope([10, 11, 9, 10, 11, 9].map((y, x) => ({ x, y }))))).toBeLessThan(0.2);
  });

  it("is 0 when x does not vary", () => {
    expect(slope([])).toBe(0);
    expect(slope([{ x: 1, y: 3 }])).toBe(0);
    expect(slope([1, 2].map((y) => ({ x: 4, y })))).toBe(0);
  });
});

describe("trend", () => {
  const series = (f: (t: number) => number) =>
    Array.from({ length: 31 }, (_, i) => ({ tSec: i * 10, value: f(i * 10) }));

  it("calls a steady leak upward", () => {
    // 100 MB growing 1 MB/min over 5 minutes: ≈ 5 % of the mean.
    const t = trend(
      series((s) => 100 + s / 60),
      { tolerance: 0.02 },
    );
    expect(t.slopePerMin).toBeCloseTo(1, 2);
    expect(t.flat).toBe(false);
  });

  it("calls noise around a level flat", () => {
    const t = trend(series((s) => 100 + (s % 20 === 0 ? 1 : -1)));
    expect(t.flat).toBe(true);
    expect(Math.abs(t.growthShare)).toBeLessThan(0.01);
  });

  it("leaves the warm-up out: a jump in the first sample is no trend", () => {
    const t = trend(series((s) => (s === 0 ? 50 : 100)));
    expect(t.slopePerMin).toBe(0);
    expect(t.flat).toBe(true);
  });

  it("a falling series is flat (no upward trend)", () => {
    expect(trend(series((s) => 200 - s / 10)).flat).toBe(true);
  });
});
