import { describe, expect, it } from "vitest";
import { videoDto } from "../../lib/testing/video-dto.ts";
import { frameRateOf } from "./frame-rate.ts";

const rung = (name: string, height: number, frameRate: number) => ({
  name,
  kind: "video" as const,
  width: Math.round((height * 16) / 9),
  height,
  bandwidth: 1_000_000,
  averageBandwidth: 800_000,
  codecs: "avc1.64001f",
  frameRate,
  playlist: `${name}/index.m3u8`,
});

describe("frame step rate", () => {
  const video = videoDto({ renditions: [rung("360p", 360, 25), rung("1080p", 1080, 50)] });

  it("is the playing level's FRAME-RATE from the master", () => {
    const engine = {
      levels: () => [
        { height: 360, frameRate: 23.976 },
        { height: 1080, frameRate: 59.94 },
      ],
      playing: () => 1,
    };
    expect(frameRateOf(engine, video)).toBe(59.94);
  });

  it("falls back to the DTO's rendition of the level's or the picture's height", () => {
    const engine = { levels: () => [{ height: 1080 }], playing: () => 0 };
    expect(frameRateOf(engine, video)).toBe(50);
    expect(frameRateOf(null, video, 360)).toBe(25);
    // No level yet, no picture: the first video rung.
    expect(frameRateOf({ levels: () => [], playing: () => -1 }, video)).toBe(25);
  });

  it("ignores audio rungs and unknown rates; undefined when nothing says", () => {
    const audioOnly = videoDto({ renditions: [{ ...rung("audio", 0, 0), kind: "audio" as const }] });
    expect(frameRateOf(null, audioOnly)).toBeUndefined();
    expect(frameRateOf(null, null)).toBeUndefined();
  });
});
