import { beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures, TEST_FIXTURES } from "../../../scripts/make-fixtures.ts";
import { ffmpegForTests } from "../testing/media.ts";
import type { FfmpegBinaries } from "./locate.ts";
import { interpretProbe, looksLikeMediaContainer, NotAVideoError, probeFile } from "./probe.ts";

const bins = await ffmpegForTests();

describe.skipIf(!bins)("probeFile on generated fixtures", () => {
  const { ffprobe } = bins as FfmpegBinaries;
  let fx: Awaited<ReturnType<typeof ensureFixtures<(typeof TEST_FIXTURES)[number]>>>;
  beforeAll(async () => {
    fx = await ensureFixtures(TEST_FIXTURES);
  });

  it("landscape 720p with audio", async () => {
    const { probe, frameRate } = await probeFile(ffprobe, fx["landscape-720p-10s.mp4"]);
    expect(probe).toMatchObject({
      width: 1280,
      height: 720,
      displayWidth: 1280,
      displayHeight: 720,
      rotation: 0,
      fps: 30,
      videoCodec: "h264",
      pixelFormat: "yuv420p",
      hasAudio: true,
      audioCodec: "aac",
      audioTracks: 1,
    });
    expect(probe.durationSec).toBeCloseTo(10, 1);
    expect(frameRate).toEqual({ num: 30, den: 1 });
  });

  it("portrait", async () => {
    const { probe } = await probeFile(ffprobe, fx["portrait-720x1280-4s.mp4"]);
    expect(probe).toMatchObject({
      width: 720,
      height: 1280,
      displayWidth: 720,
      displayHeight: 1280,
      rotation: 0,
    });
  });

  it("no audio", async () => {
    const { probe } = await probeFile(ffprobe, fx["noaudio-640x360-4s.mp4"]);
    expect(probe).toMatchObject({
      hasAudio: false,
      audioCodec: null,
      audioTracks: 0,
      width: 640,
      height: 360,
    });
  });

  it("rotated: stored 640x360, displayed 360x640", async () => {
    const { probe } = await probeFile(ffprobe, fx["rotated-90-4s.mp4"]);
    expect(probe).toMatchObject({ width: 640, height: 360, displayWidth: 360, displayHeight: 640 });
    expect([90, 270]).toContain(probe.rotation);
  });

  it("10-bit source reports its pixel format", async () => {
    const { probe } = await probeFile(ffprobe, fx["tenbit-640x360-2s.mp4"]);
    expect(probe.pixelFormat).toBe("yuv420p10le");
    expect(probe.fps).toBe(25);
  });

  it("a text file is not a video, with a clear reason", async () => {
    const err = await probeFile(ffprobe, fx["not-a-video.mp4"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotAVideoError);
    expect((err as NotAVideoError).reason).toMatch(
      /^not a playable video: not a recognised video file \(ffprobe: .+\)$/,
    );
  });

  it("a truncated mp4 is reported as corrupt or truncated", async () => {
    const err = await probeFile(ffprobe, fx["corrupt-truncated.mp4"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotAVideoError);
    expect((err as NotAVideoError).reason).toBe(
      "not a playable video: file is corrupt or truncated (ffprobe: moov atom not found)",
    );
  });
});

describe("interpretProbe (pure)", () => {
  const video = {
    index: 0,
    codec_type: "video",
    codec_name: "h264",
    width: 1920,
    height: 1080,
    avg_frame_rate: "30000/1001",
    pix_fmt: "yuv420p",
  };
  const format = { format_name: "mov,mp4,m4a,3gp,3g2,mj2", duration: "12.5", bit_rate: "5000000" };

  it("no video stream", () => {
    expect(() =>
      interpretProbe({ streams: [{ index: 0, codec_type: "audio", codec_name: "mp3" }], format }),
    ).toThrow("not a playable video: it is an audio-only file, no video stream found");
    expect(() => interpretProbe({ streams: [], format })).toThrow(
      "not a playable video: no video stream found",
    );
  });

  it("cover art only", () => {
    const art = { ...video, codec_name: "mjpeg", disposition: { attached_pic: 1 } };
    expect(() => interpretProbe({ streams: [art, { index: 1, codec_type: "audio" }], format })).toThrow(
      /still picture/,
    );
  });

  it("still images", () => {
    expect(() =>
      interpretProbe({
        streams: [{ ...video, codec_name: "png" }],
        format: { format_name: "png_pipe", duration: "0.04" },
      }),
    ).toThrow(/still image/);
  });

  it("zero duration", () => {
    expect(() => interpretProbe({ streams: [video], format: { ...format, duration: "0" } })).toThrow(
      /no duration/,
    );
  });

  it("legacy rotate tag, NTSC rate, non-square pixels", () => {
    const { probe, frameRate } = interpretProbe({
      streams: [{ ...video, width: 720, height: 480, sample_aspect_ratio: "32:27", tags: { rotate: "270" } }],
      format,
    });
    expect(frameRate).toEqual({ num: 30000, den: 1001 });
    expect(probe.fps).toBe(29.97);
    expect(probe.rotation).toBe(270);
    expect([probe.displayWidth, probe.displayHeight]).toEqual([480, 854]);
  });

  it("display-matrix rotation -90 normalises to 270", () => {
    const { probe } = interpretProbe({
      streams: [{ ...video, side_data_list: [{ side_data_type: "Display Matrix", rotation: -90 }] }],
      format,
    });
    expect(probe.rotation).toBe(270);
    expect([probe.displayWidth, probe.displayHeight]).toEqual([1080, 1920]);
  });

  it("container sniffing", () => {
    const mp4 = new Uint8Array([0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d]);
    expect(looksLikeMediaContainer(mp4)).toBe(true);
    expect(looksLikeMediaContainer(new TextEncoder().encode("hello, this is text"))).toBe(false);
  });
});
