import { describe, expect, it } from "vitest";
import {
  autoLabel,
  captionOptions,
  levelLabel,
  parseCaptionStyle,
  qualityOptions,
  qualitySummary,
  speedLabel,
  speedOptions,
  stepSpeed,
  toggledCaption,
  videoLevels,
} from "./menus.ts";

// hls.js lists levels in master order; ours go lowest first, plus an audio-only level.
const levels = [
  { height: 360, width: 640, bitrate: 800_000 },
  { height: 720, width: 1280, bitrate: 2_800_000 },
  { height: 1080, width: 1920, bitrate: 5_000_000 },
  { bitrate: 128_000 },
];

describe("quality menu", () => {
  it("lists Auto then each video rung, highest first, by hls.js index", () => {
    expect(videoLevels(levels)).toEqual([
      { index: 2, label: "1080p" },
      { index: 1, label: "720p" },
      { index: 0, label: "360p" },
    ]);
    const options = qualityOptions(levels, -1, 1);
    expect(options.map((o) => [o.value, o.label, o.checked])).toEqual([
      ["-1", "Auto (720p)", true],
      ["2", "1080p", false],
      ["1", "720p", false],
      ["0", "360p", false],
    ]);
  });

  it("in Auto shows the rung playing; picked by hand shows that rung", () => {
    expect(autoLabel(levels, -1)).toBe("Auto");
    expect(autoLabel(levels, 0)).toBe("Auto (360p)");
    expect(qualitySummary(levels, -1, 2)).toBe("Auto (1080p)");
    expect(qualitySummary(levels, 0, 0)).toBe("360p");
    expect(qualityOptions(levels, 0, 0).find((o) => o.checked)?.value).toBe("0");
  });

  it("names a portrait rung by its short side, and an audio level by bitrate", () => {
    expect(levelLabel({ height: 1280, width: 720 })).toBe("720p");
    expect(levelLabel({ bitrate: 128_000 })).toBe("128 kb/s");
    expect(levelLabel(undefined)).toBe("");
  });
});

describe("speed", () => {
  it("offers 0.25–2× with Normal at 1", () => {
    const options = speedOptions(1.5);
    expect(options.map((o) => o.value)).toEqual(["0.25", "0.5", "0.75", "1", "1.25", "1.5", "1.75", "2"]);
    expect(options.find((o) => o.checked)?.label).toBe("1.5×");
    expect(speedLabel(1)).toBe("Normal");
  });

  it("< and > step one notch and stop at the ends", () => {
    expect(stepSpeed(1, 1)).toBe(1.25);
    expect(stepSpeed(1, -1)).toBe(0.75);
    expect(stepSpeed(2, 1)).toBe(2);
    expect(stepSpeed(0.25, -1)).toBe(0.25);
    // A rate between notches goes to the next notch that way.
    expect(stepSpeed(1.1, 1)).toBe(1.25);
    expect(stepSpeed(1.1, -1)).toBe(1);
  });
});

describe("captions", () => {
  const tracks = [
    { label: "English", language: "en" },
    { label: "", language: "pt-BR" },
  ];

  it("lists Off and each track, labelled by label or language", () => {
    expect(captionOptions(tracks, 1).map((o) => [o.value, o.label, o.checked])).toEqual([
      ["-1", "Off", false],
      ["0", "English", false],
      ["1", "pt-BR", true],
    ]);
  });

  it("c turns the last used track on, or off", () => {
    expect(toggledCaption(-1, 1, 2)).toBe(1);
    expect(toggledCaption(-1, -1, 2)).toBe(0);
    expect(toggledCaption(0, 0, 2)).toBe(-1);
    expect(toggledCaption(-1, 5, 2)).toBe(0);
    expect(toggledCaption(-1, 0, 0)).toBe(-1);
  });

  it("reads a stored style, falling back to the defaults", () => {
    expect(parseCaptionStyle('{"size":"large","background":"solid"}')).toEqual({
      size: "large",
      background: "solid",
    });
    expect(parseCaptionStyle('{"size":"huge"}')).toEqual({ size: "medium", background: "translucent" });
    expect(parseCaptionStyle("not json")).toEqual({ size: "medium", background: "translucent" });
    expect(parseCaptionStyle(null)).toEqual({ size: "medium", background: "translucent" });
  });
});
