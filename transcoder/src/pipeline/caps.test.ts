import type { ProbeResult } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { contentDuration, interpretProbe } from "../ffmpeg/probe.ts";
import { DEFAULT_CAPS } from "../resources.ts";
import { formatDuration, pictureOverCap, tooLong } from "./caps.ts";

const probe = (p: Partial<ProbeResult>): ProbeResult => ({
  durationSec: 10,
  width: 1920,
  height: 1080,
  displayWidth: 1920,
  displayHeight: 1080,
  rotation: 0,
  fps: 30,
  videoCodec: "h264",
  audioCodec: null,
  hasAudio: false,
  audioTracks: 0,
  ...p,
});

describe("media caps (issue 11, hole 4)", () => {
  it("8K UHD passes; 8192x4608 is refused as resolution_too_high, final, with the numbers", () => {
    expect(pictureOverCap(probe({ width: 7680, height: 4320 }), DEFAULT_CAPS)).toBeNull();
    const over = pictureOverCap(probe({ width: 8192, height: 4608 }), DEFAULT_CAPS);
    expect(over).toMatchObject({ code: "resolution_too_high", retryable: false });
    expect(over?.message).toBe(
      "the video is 8192x4608 (37.7 Mpx); the limit is 33.2 Mpx (8K UHD is 7680x4320)",
    );
  });

  it("120 fps passes; 1000 fps is refused as frame_rate_too_high", () => {
    expect(pictureOverCap(probe({ fps: 120 }), DEFAULT_CAPS)).toBeNull();
    expect(pictureOverCap(probe({ fps: 1000 }), DEFAULT_CAPS)).toMatchObject({
      code: "frame_rate_too_high",
      retryable: false,
      message: "the video runs at 1000 frames per second; the limit is 120",
    });
  });

  it("too long says how long and what the limit is", () => {
    expect(tooLong(26 * 3600, DEFAULT_CAPS)).toMatchObject({
      code: "too_long",
      retryable: false,
      message: "the video runs 26 h; the limit is 12 h",
    });
    expect(tooLong(43_261, DEFAULT_CAPS, true).message).toBe(
      "the video runs more than 12 h; the limit is 12 h",
    );
    expect(formatDuration(90)).toBe("1.5 min");
  });
});

describe("contentDuration: the streams' own length beats a patched header", () => {
  it("an MP4 whose mvhd claims 100 h over a 2 s sample table is 2 s", () => {
    expect(
      contentDuration("360000.000000", [
        { index: 0, duration: "2.000000" },
        { index: 1, duration: "2.021333" },
      ]),
    ).toBe(2.021333);
  });

  it("a Matroska file whose Segment Duration claims 100 h: the track DURATION tags", () => {
    expect(
      contentDuration("360000.000000", [{ index: 0, tags: { DURATION: "00:00:02.021000000" } }]),
    ).toBeCloseTo(2.021);
  });

  it("a real long file keeps its length; no stream figures: the container's", () => {
    expect(contentDuration("93600", [{ index: 0, tags: { DURATION: "26:00:00.000000000" } }])).toBe(93_600);
    expect(contentDuration("12.5", [{ index: 0 }])).toBe(12.5);
    expect(contentDuration(undefined, [{ index: 0, duration: "3.5" }])).toBe(3.5);
  });

  it("interpretProbe reports the content's length", () => {
    const media = interpretProbe({
      format: { format_name: "mov,mp4,m4a,3gp,3g2,mj2", duration: "360000.000000" },
      streams: [
        {
          index: 0,
          codec_type: "video",
          codec_name: "h264",
          width: 320,
          height: 180,
          avg_frame_rate: "30/1",
          duration: "2.000000",
        },
      ],
    });
    expect(media.probe.durationSec).toBe(2);
  });
});
