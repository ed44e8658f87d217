import { describe, expect, it } from "vitest";
import { buildTrickplayArgs, tileSize, trickplayInterval, writeThumbnailsVtt } from "./trickplay.ts";

describe("trick-play (pure)", () => {
  it("one thumbnail every 2–5 s by duration, 160 px wide tiles", () => {
    expect([30, 600, 601, 1800, 1801, 7200].map(trickplayInterval)).toEqual([2, 2, 4, 4, 5, 5]);
    expect(tileSize(426, 240)).toEqual({ width: 160, height: 90 });
    expect(tileSize(240, 426)).toEqual({ width: 160, height: 284 });
  });

  it("cues tile a 10×10 grid per sheet, the last cue ends at the duration", () => {
    const vtt = writeThumbnailsVtt({
      count: 102,
      intervalSec: 2,
      durationSec: 203.5,
      tile: { width: 160, height: 90 },
      spriteName: (n) => `sprite-${n}.jpg`,
    });
    const lines = vtt.split("\n");
    expect(lines.slice(0, 8)).toEqual([
      "WEBVTT",
      "",
      "00:00:00.000 --> 00:00:02.000",
      "sprite-1.jpg#xywh=0,0,160,90",
      "",
      "00:00:02.000 --> 00:00:04.000",
      "sprite-1.jpg#xywh=160,0,160,90",
      "",
    ]);
    expect(vtt).toContain("00:00:20.000 --> 00:00:22.000\nsprite-1.jpg#xywh=0,90,160,90\n");
    expect(vtt).toContain("00:03:18.000 --> 00:03:20.000\nsprite-1.jpg#xywh=1440,810,160,90\n");
    expect(vtt).toContain("00:03:20.000 --> 00:03:22.000\nsprite-2.jpg#xywh=0,0,160,90\n");
    expect(vtt.endsWith("00:03:22.000 --> 00:03:23.500\nsprite-2.jpg#xywh=160,0,160,90\n")).toBe(true);
  });

  it("keyframe-only decoding of the low rung vs sampling a source", () => {
    const base = {
      input: "in.mp4",
      spritePattern: "s-%d.jpg",
      intervalSec: 4,
      tile: { width: 160, height: 90 },
    };
    const fast = buildTrickplayArgs({ ...base, keyframesOnly: true });
    expect(fast.slice(fast.indexOf("-skip_frame"), fast.indexOf("-skip_frame") + 2)).toEqual([
      "-skip_frame",
      "nokey",
    ]);
    expect(fast.join(" ")).toContain("select='gte(t\\,selected_n*4)'");
    const full = buildTrickplayArgs({ ...base, keyframesOnly: false });
    expect(full).not.toContain("-skip_frame");
    expect(full.join(" ")).toContain("fps=1/4");
  });
});
