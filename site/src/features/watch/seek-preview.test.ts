import { describe, expect, it } from "vitest";
import {
  bufferedEnd,
  chapterAt,
  fractionAt,
  keyboardSeek,
  previewSize,
  tooltipLeft,
} from "./seek-preview.ts";

describe("seek preview geometry", () => {
  it("maps a pointer to 0–1 along the track, clamped at both ends", () => {
    const rect = { left: 100, width: 400 };
    expect(fractionAt(100, rect)).toBe(0);
    expect(fractionAt(300, rect)).toBe(0.5);
    expect(fractionAt(50, rect)).toBe(0);
    expect(fractionAt(900, rect)).toBe(1);
    expect(fractionAt(300, { left: 0, width: 0 })).toBe(0);
  });

  it("centres the tooltip on the point but never lets it leave the track", () => {
    expect(tooltipLeft(0.5, 600, 160)).toBe(220);
    expect(tooltipLeft(0, 600, 160)).toBe(0);
    expect(tooltipLeft(1, 600, 160)).toBe(440);
    // A track narrower than the tooltip: pinned to the left edge.
    expect(tooltipLeft(0.9, 100, 160)).toBe(0);
  });
});

describe("previewSize", () => {
  it("shows landscape tiles as they are and scales tall ones down, never up", () => {
    expect(previewSize(160, 90)).toEqual({ width: 160, height: 90, scale: 1 });
    expect(previewSize(160, 284)).toEqual({ width: 90, height: 160, scale: 160 / 284 });
    expect(previewSize(320, 180)).toEqual({ width: 192, height: 108, scale: 0.6 });
    expect(previewSize(80, 45)).toEqual({ width: 80, height: 45, scale: 1 });
  });
});

describe("keyboardSeek", () => {
  it("moves like a slider: arrows by 5 s, pages by a tenth, Home/End to the ends", () => {
    expect(keyboardSeek("ArrowRight", 10, 100)).toBe(15);
    expect(keyboardSeek("ArrowUp", 10, 100)).toBe(15);
    expect(keyboardSeek("ArrowLeft", 10, 100)).toBe(5);
    expect(keyboardSeek("ArrowDown", 10, 100)).toBe(5);
    expect(keyboardSeek("PageUp", 10, 100)).toBe(20);
    expect(keyboardSeek("PageDown", 10, 100)).toBe(0);
    expect(keyboardSeek("Home", 42, 100)).toBe(0);
    expect(keyboardSeek("End", 42, 100)).toBe(100);
  });

  it("stays inside the video and ignores other keys or an unknown duration", () => {
    expect(keyboardSeek("ArrowLeft", 2, 100)).toBe(0);
    expect(keyboardSeek("ArrowRight", 98, 100)).toBe(100);
    expect(keyboardSeek("Enter", 10, 100)).toBeNull();
    expect(keyboardSeek("ArrowRight", 0, Number.NaN)).toBeNull();
    expect(keyboardSeek("ArrowRight", 0, 0)).toBeNull();
  });
});

describe("chapters and buffered range on the seek bar", () => {
  const chapters = [
    { startSec: 0, title: "Intro" },
    { startSec: 30, title: "Middle" },
    { startSec: 90, title: "End" },
  ];

  it("finds the chapter playing at a time", () => {
    expect(chapterAt(chapters, 0)?.title).toBe("Intro");
    expect(chapterAt(chapters, 29.9)?.title).toBe("Intro");
    expect(chapterAt(chapters, 30)?.title).toBe("Middle");
    expect(chapterAt(chapters, 500)?.title).toBe("End");
    expect(chapterAt([], 10)).toBeNull();
  });

  it("draws the buffered range that holds the playhead", () => {
    const ranges = (...r: [number, number][]) => ({
      length: r.length,
      start: (i: number) => r[i]![0],
      end: (i: number) => r[i]![1],
    });
    expect(bufferedEnd(ranges([0, 12], [40, 60]), 5)).toBe(12);
    expect(bufferedEnd(ranges([0, 12], [40, 60]), 45)).toBe(60);
    expect(bufferedEnd(ranges([0, 12], [40, 60]), 20)).toBe(0);
    expect(bufferedEnd(ranges(), 0)).toBe(0);
  });
});
