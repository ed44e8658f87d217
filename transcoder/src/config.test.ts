import { describe, expect, it } from "vitest";
import { ConfigError, defaultMaxJobs, loadConfig } from "./config.ts";
import { parseFfmpegVersion, supportsFpsMode } from "./ffmpeg/locate.ts";

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const c = loadConfig({ TRANSCODER_SECRET: "s" });
    expect(c).toMatchObject({
      HOST: "127.0.0.1",
      PORT: 8790,
      EDGE_URL: "http://127.0.0.1:8787",
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_BUCKET: "streamline",
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      HEARTBEAT_MS: 5000,
      SHUTDOWN_GRACE_MS: 30000,
      X264_PRESET: "veryfast",
    });
    expect(c.MAX_JOBS).toBe(defaultMaxJobs());
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.NODE_ID).toMatch(/-\d+$/);
  });

  it("parses numbers and treats empty strings as unset", () => {
    const c = loadConfig({
      TRANSCODER_SECRET: "s",
      PORT: "0",
      MAX_JOBS: "3",
      REDIS_URL: "",
      FFMPEG_THREADS: "2",
    });
    expect([c.PORT, c.MAX_JOBS, c.REDIS_URL, c.FFMPEG_THREADS]).toEqual([0, 3, undefined, 2]);
  });

  it("ffmpeg resource limits and extra codecs: defaults, parsing, validation", () => {
    const c = loadConfig({ TRANSCODER_SECRET: "s" });
    expect([c.FFMPEG_NICE, c.FFMPEG_MEMORY_MB, c.FFMPEG_TIMEOUT_FACTOR, c.EXTRA_CODECS]).toEqual([
      10,
      4096,
      6,
      "",
    ]);
    const d = loadConfig({
      TRANSCODER_SECRET: "s",
      FFMPEG_NICE: "0",
      FFMPEG_MEMORY_MB: "0",
      FFMPEG_TIMEOUT_FACTOR: "2.5",
      EXTRA_CODECS: "av1,hevc",
    });
    expect([d.FFMPEG_NICE, d.FFMPEG_MEMORY_MB, d.FFMPEG_TIMEOUT_FACTOR, d.EXTRA_CODECS]).toEqual([
      0,
      0,
      2.5,
      "av1,hevc",
    ]);
    expect(() => loadConfig({ TRANSCODER_SECRET: "s", EXTRA_CODECS: "vp9" })).toThrow(/EXTRA_CODECS/);
    expect(() => loadConfig({ TRANSCODER_SECRET: "s", FFMPEG_NICE: "20" })).toThrow(/FFMPEG_NICE/);
  });

  it("fails loudly, listing every bad variable", () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    expect(() => loadConfig({ TRANSCODER_SECRET: "s", PORT: "http", EDGE_URL: "nope" })).toThrow(
      /PORT[\s\S]*EDGE_URL|EDGE_URL[\s\S]*PORT/,
    );
  });

  it("fleet settings: claim TTL defaults to 3 heartbeats and must cover at least 2", () => {
    const c = loadConfig({ TRANSCODER_SECRET: "s", HEARTBEAT_MS: "1000" });
    expect([c.CLAIM_TTL_MS, c.REDIS_PREFIX, c.PUBLIC_URL]).toEqual([3000, "streamline:", undefined]);
    expect(loadConfig({ TRANSCODER_SECRET: "s", CLAIM_TTL_MS: "20000" }).CLAIM_TTL_MS).toBe(20000);
    expect(() => loadConfig({ TRANSCODER_SECRET: "s", HEARTBEAT_MS: "1000", CLAIM_TTL_MS: "1500" })).toThrow(
      /CLAIM_TTL_MS/,
    );
  });

  it("one job per two cores, at least one", () => {
    expect([defaultMaxJobs(1), defaultMaxJobs(2), defaultMaxJobs(8)]).toEqual([1, 1, 4]);
  });
});

describe("ffmpeg version parsing", () => {
  it("understands distro, release and git builds", () => {
    expect(parseFfmpegVersion("ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026")).toMatchObject({
      major: 5,
      minor: 1,
    });
    expect(parseFfmpegVersion("ffmpeg version n7.1 Copyright")).toMatchObject({ major: 7, minor: 1 });
    expect(parseFfmpegVersion("ffmpeg version N-113045-g1234 Copyright")).toMatchObject({ major: 99 });
    expect(parseFfmpegVersion("ffmpeg version 4.1-static https://johnvansickle.com")).toMatchObject({
      major: 4,
      minor: 1,
    });
    expect(parseFfmpegVersion("garbage")).toBeNull();
  });
  it("-fps_mode needs 5.1+", () => {
    expect(supportsFpsMode({ major: 5, minor: 0, raw: "" })).toBe(false);
    expect(supportsFpsMode({ major: 5, minor: 1, raw: "" })).toBe(true);
    expect(supportsFpsMode({ major: 4, minor: 4, raw: "" })).toBe(false);
  });
});
