import { describe, expect, it } from "vitest";
import {
  avc1Codec,
  extraLadder,
  gopFrames,
  h264Level,
  outputFrameRate,
  parseExtraCodecs,
  selectLadder,
} from "./ladder.ts";

const fps30 = { num: 30, den: 1 };
const sizes = (w: number, h: number, fps = fps30) =>
  selectLadder({ displayWidth: w, displayHeight: h }, fps).map((r) => `${r.name}:${r.width}x${r.height}`);

describe("selectLadder", () => {
  it("gives a 1080p source the full ladder", () => {
    expect(sizes(1920, 1080)).toEqual([
      "1080p:1920x1080",
      "720p:1280x720",
      "480p:854x480",
      "360p:640x360",
      "240p:426x240",
    ]);
  });

  it("never upscales: 720p source tops out at 720p", () => {
    expect(sizes(1280, 720)).toEqual(["720p:1280x720", "480p:854x480", "360p:640x360", "240p:426x240"]);
  });

  it("applies the ladder to the short side of portrait video", () => {
    expect(sizes(720, 1280)).toEqual(["720p:720x1280", "480p:480x854", "360p:360x640", "240p:240x426"]);
  });

  it("4K gets at most 1080p", () => {
    expect(sizes(3840, 2160)[0]).toBe("1080p:1920x1080");
  });

  it("keeps aspect with even dimensions for odd shapes", () => {
    for (const [w, h] of [
      [1918, 1078],
      [1440, 1080],
      [1000, 750],
      [2560, 1080],
      [1080, 1920],
      [853, 481],
    ] as const) {
      for (const r of selectLadder({ displayWidth: w, displayHeight: h }, fps30)) {
        expect(r.width % 2).toBe(0);
        expect(r.height % 2).toBe(0);
        expect(r.width).toBeLessThanOrEqual(w);
        expect(r.height).toBeLessThanOrEqual(h);
        expect(Math.abs(r.width / r.height - w / h)).toBeLessThan(0.02);
      }
    }
  });

  it("a 480p source gets 480/360/240, never 720 or 1080", () => {
    expect(sizes(854, 480)).toEqual(["480p:854x480", "360p:640x360", "240p:428x240"]);
    expect(sizes(640, 480)).toEqual(["480p:640x480", "360p:480x360", "240p:320x240"]);
  });

  it("a source smaller than 240p gets one rung at its own even size", () => {
    expect(sizes(320, 180)).toEqual(["180p:320x180"]);
    expect(sizes(175, 99)).toEqual(["98p:174x98"]);
  });

  it("caps bitrate per rung (bufsize = 2 × maxrate) and raises it for 60 fps", () => {
    const at30 = selectLadder({ displayWidth: 1920, displayHeight: 1080 }, fps30);
    const at60 = selectLadder({ displayWidth: 1920, displayHeight: 1080 }, { num: 60, den: 1 });
    for (const r of at30) expect(r.bufsizeKbps).toBe(r.maxrateKbps * 2);
    expect(at30.map((r) => r.maxrateKbps)).toEqual([...at30.map((r) => r.maxrateKbps)].sort((a, b) => b - a));
    expect(at60[0]?.maxrateKbps).toBeGreaterThan(at30[0]?.maxrateKbps ?? 0);
  });

  it("derives H.264 level and CODECS from size, rate and profile", () => {
    const rungs = selectLadder({ displayWidth: 1920, displayHeight: 1080 }, fps30);
    expect(rungs.map((r) => [r.name, r.profile, r.level, r.videoCodec])).toEqual([
      ["1080p", "high", "4", "avc1.640028"],
      ["720p", "high", "3.1", "avc1.64001f"],
      ["480p", "high", "3.1", "avc1.64001f"],
      ["360p", "main", "3", "avc1.4d401e"],
      ["240p", "main", "2.1", "avc1.4d4015"],
    ]);
    const at60 = selectLadder({ displayWidth: 1920, displayHeight: 1080 }, { num: 60, den: 1 });
    expect(at60[0]?.level).toBe("4.2");
    expect(at60[1]?.level).toBe("3.2");
  });
});

describe("h264Level / avc1Codec", () => {
  it("picks the lowest level that fits", () => {
    expect(h264Level(1280, 720, 30, 3000, "high").level).toBe("3.1");
    expect(h264Level(1920, 1080, 30, 5000, "high").level).toBe("4");
    expect(h264Level(3840, 2160, 30, 20000, "high").level).toBe("5.1");
  });
  it("formats profile_idc, constraint flags and level_idc as hex", () => {
    expect(avc1Codec("high", 31)).toBe("avc1.64001f");
    expect(avc1Codec("main", 30)).toBe("avc1.4d401e");
  });
});

describe("outputFrameRate / gopFrames", () => {
  it("keeps NTSC rates exact and caps above 60 by an integer divisor", () => {
    expect(outputFrameRate({ num: 30000, den: 1001 })).toEqual({ num: 30000, den: 1001 });
    expect(outputFrameRate({ num: 120, den: 1 })).toEqual({ num: 60, den: 1 });
    expect(outputFrameRate({ num: 100, den: 1 })).toEqual({ num: 50, den: 1 });
    expect(outputFrameRate({ num: 60000, den: 1001 })).toEqual({ num: 60000, den: 1001 });
    expect(outputFrameRate({ num: 0, den: 1 })).toEqual({ num: 30, den: 1 });
  });
  it("snaps a phone's variable-rate average to the nearest standard rate", () => {
    expect(outputFrameRate({ num: 1196, den: 40 })).toEqual({ num: 30000, den: 1001 });
    expect(outputFrameRate({ num: 2999, den: 100 })).toEqual({ num: 30, den: 1 });
    expect(outputFrameRate({ num: 15, den: 1 })).toEqual({ num: 15, den: 1 });
    expect(outputFrameRate({ num: 240, den: 1 })).toEqual({ num: 60, den: 1 });
    expect(outputFrameRate({ num: 239, den: 1 })).toEqual({ num: 60000, den: 1001 });
  });
  it("GOP is 2 s of frames", () => {
    expect(gopFrames({ num: 30, den: 1 })).toBe(60);
    expect(gopFrames({ num: 25, den: 1 })).toBe(50);
    expect(gopFrames({ num: 30000, den: 1001 })).toBe(60);
  });
});

describe("extra codec ladders", () => {
  it("mirrors the H.264 sizes with lower caps and suffixed names", () => {
    const h264 = selectLadder({ displayWidth: 1280, displayHeight: 720 }, fps30);
    const av1 = extraLadder(h264, "av1");
    expect(av1.map((r) => `${r.name}:${r.width}x${r.height}:${r.codec}`)).toEqual([
      "720p-av1:1280x720:av1",
      "480p-av1:854x480:av1",
      "360p-av1:640x360:av1",
      "240p-av1:426x240:av1",
    ]);
    av1.forEach((r, i) => {
      expect(r.maxrateKbps).toBeLessThan(h264[i]?.maxrateKbps ?? 0);
      expect(r.name).toMatch(/^[a-z0-9_-]+$/);
    });
    expect(extraLadder(h264, "hevc")[0]?.videoCodec).toMatch(/^hvc1\./);
  });

  it("parses EXTRA_CODECS", () => {
    expect(parseExtraCodecs("")).toEqual([]);
    expect(parseExtraCodecs(undefined)).toEqual([]);
    expect(parseExtraCodecs(" AV1 ")).toEqual(["av1"]);
    expect(parseExtraCodecs("av1,hevc")).toEqual(["hevc", "av1"]);
    expect(() => parseExtraCodecs("vp9")).toThrow(/vp9/);
  });
});
