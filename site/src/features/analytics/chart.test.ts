import { describe, expect, it } from "vitest";
import { type Box, bars, gridlines, labelIndices, line, niceMax } from "./chart.ts";

const box: Box = { width: 110, height: 120, left: 10, bottom: 10, top: 10, right: 0 };

describe("chart geometry", () => {
  it("rounds the axis up to 1, 2, 2.5 or 5 × 10ⁿ", () => {
    expect([0, 0.3, 1, 3, 7, 19, 24, 26, 99, 101, 4500].map(niceMax)).toEqual([
      1, 0.5, 1, 5, 10, 20, 25, 50, 100, 200, 5000,
    ]);
  });

  it("draws bars proportional to the values from the baseline", () => {
    const { bars: drawn, max } = bars([0, 5, 10, 2.5], box);
    expect(max).toBe(10);
    // plot height 100: 10 → 100 px tall, 5 → 50, 0 → 0; baseline at y = 110.
    expect(drawn.map((b) => b.height)).toEqual([0, 50, 100, 25]);
    expect(drawn.map((b) => b.y + b.height)).toEqual([110, 110, 110, 110]);
    // Four slots of 25 px from x = 10, each with a 2 px gap.
    expect(drawn.map((b) => [b.x, b.width])).toEqual([
      [11, 23],
      [36, 23],
      [61, 23],
      [86, 23],
    ]);
  });

  it("draws a line and its area through evenly spaced points", () => {
    const { line: path, area } = line([100, 50, 0], 100, box);
    expect(path).toBe("M10,10 L60,60 L110,110");
    expect(area).toBe("M10,10 L60,60 L110,110 L110,110 L10,110 Z");
    expect(line([], 1, box)).toEqual({ line: "", area: "" });
  });

  it("puts gridlines at 0, half and the maximum; labels at first, middle, last", () => {
    expect(gridlines(40, box)).toEqual([
      { y: 110, value: 0 },
      { y: 60, value: 20 },
      { y: 10, value: 40 },
    ]);
    expect(labelIndices(28)).toEqual([0, 13, 27]);
    expect(labelIndices(2)).toEqual([0, 1]);
    expect(labelIndices(1)).toEqual([0]);
  });
});
