import { describe, expect, it } from "vitest";
import { ConfigError, defaultMaxJobs, loadConfig } from "./config.ts";
import { parseFfmpegVersion, supportsFpsMode } from "./ffmpeg/locate.ts";

const SECRET = "transcoder-config-test-4f1a9c7e2b6d";
/** Development mode: the embedded S3 defaults apply. */
const DEV = { STREAMLINE_DEV: "1", TRANSCODER_SECRET: SECRET };
/** Everything production must name itself. */
const PROD = {
  TRANSCODER_SECRET: SECRET,
  EDGE_URL: "https://edge.example",
  S3_ENDPOINT: "https://acct.r2.cloudflarestorage.com",
  S3_ACCESS_KEY_ID: "3f2c0d9e8b7a6f5e4d3c2b1a09f8e7d6",
  S3_SECRET_ACCESS_KEY: "9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a",
};

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const c = loadConfig({ ...DEV });
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
      ...DEV,
      PORT: "0",
      MAX_JOBS: "3",
      REDIS_URL: "",
      FFMPEG_THREADS: "2",
    });
    expect([c.PORT, c.MAX_JOBS, c.REDIS_URL, c.FFMPEG_THREADS]).toEqual([0, 3, undefined, 2]);
  });

  it("ffmpeg resource limits and extra codecs: defaults, parsing, validation", () => {
    const c = loadConfig({ ...DEV });
    expect([c.FFMPEG_NICE, c.FFMPEG_MEMORY_MB, c.FFMPEG_TIMEOUT_FACTOR, c.EXTRA_CODECS]).toEqual([
      10,
      4096,
      6,
      "",
    ]);
    const d = loadConfig({
      ...DEV,
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
    expect(() => loadConfig({ ...DEV, EXTRA_CODECS: "vp9" })).toThrow(/EXTRA_CODECS/);
    expect(() => loadConfig({ ...DEV, FFMPEG_NICE: "20" })).toThrow(/FFMPEG_NICE/);
  });

  it("media caps and progress timeouts (hole 4): defaults, parsing, no timer past 2^31 - 1 ms", () => {
    const c = loadConfig({ ...DEV });
    expect([c.MAX_PIXELS, c.MAX_DURATION_SEC, c.MAX_FPS, c.FFMPEG_STALL_TIMEOUT_SEC]).toEqual([
      7680 * 4320,
      12 * 3600,
      120,
      120,
    ]);
    const d = loadConfig({ ...DEV, MAX_PIXELS: "2073600", MAX_DURATION_SEC: "600", MAX_FPS: "60.5" });
    expect([d.MAX_PIXELS, d.MAX_DURATION_SEC, d.MAX_FPS]).toEqual([2_073_600, 600, 60.5]);
    for (const name of ["JOB_TIMEOUT_MS", "SHUTDOWN_GRACE_MS", "HEARTBEAT_MS"])
      expect(() => loadConfig({ ...DEV, [name]: String(2 ** 31) })).toThrow(new RegExp(name));
    expect(() => loadConfig({ ...DEV, MAX_FPS: "0" })).toThrow(/MAX_FPS/);
  });

  it("fails loudly, listing every bad variable", () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    expect(() => loadConfig({ ...DEV, PORT: "http", EDGE_URL: "nope" })).toThrow(
      /PORT[\s\S]*EDGE_URL|EDGE_URL[\s\S]*PORT/,
    );
  });

  it("fleet settings: claim TTL defaults to 3 heartbeats and must cover at least 2", () => {
    const c = loadConfig({ ...DEV, HEARTBEAT_MS: "1000" });
    expect([c.CLAIM_TTL_MS, c.REDIS_PREFIX, c.PUBLIC_URL]).toEqual([3000, "streamline:", undefined]);
    expect(loadConfig({ ...DEV, CLAIM_TTL_MS: "20000" }).CLAIM_TTL_MS).toBe(20000);
    expect(() => loadConfig({ ...DEV, HEARTBEAT_MS: "1000", CLAIM_TTL_MS: "1500" })).toThrow(/CLAIM_TTL_MS/);
  });

  it("one job per two cores, at least one", () => {
    expect([defaultMaxJobs(1), defaultMaxJobs(2), defaultMaxJobs(8)]).toEqual([1, 1, 4]);
  });
});

describe("loadConfig secrets and development mode", () => {
  it("outside development mode, every S3 and edge setting must be given: no silent dev fallback", () => {
    expect(loadConfig(PROD)).toMatchObject({ STREAMLINE_DEV: false, S3_ENDPOINT: PROD.S3_ENDPOINT });
    for (const name of ["S3_ENDPOINT", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "EDGE_URL"] as const) {
      const { [name]: _missing, ...rest } = PROD;
      expect(() => loadConfig(rest)).toThrow(new RegExp(`${name}: is required outside development`));
    }
    expect(() => loadConfig({ TRANSCODER_SECRET: SECRET })).toThrow(
      /S3_ENDPOINT[\s\S]*S3_ACCESS_KEY_ID[\s\S]*S3_SECRET_ACCESS_KEY/,
    );
  });

  it("outside development mode, the embedded S3 / MinIO example credentials are refused", () => {
    for (const secret of ["S3RVER", "minioadmin", "streamline-dev-secret"]) {
      expect(() => loadConfig({ ...PROD, S3_SECRET_ACCESS_KEY: secret })).toThrow(
        /S3_SECRET_ACCESS_KEY: is a development credential/,
      );
      expect(
        loadConfig({ ...PROD, STREAMLINE_DEV: "1", S3_SECRET_ACCESS_KEY: secret }).S3_SECRET_ACCESS_KEY,
      ).toBe(secret);
    }
  });

  it("STREAMLINE_DEV is 1/true to switch development mode on; anything else is an error", () => {
    expect(loadConfig({ ...PROD, STREAMLINE_DEV: "true" }).STREAMLINE_DEV).toBe(true);
    expect(loadConfig({ ...PROD, STREAMLINE_DEV: "0" }).STREAMLINE_DEV).toBe(false);
    expect(() => loadConfig({ ...PROD, STREAMLINE_DEV: "yes please" })).toThrow(/STREAMLINE_DEV/);
  });

  it.each([
    ["missing", undefined, /TRANSCODER_SECRET: is required/],
    [
      "the .dev.vars.example value",
      "change-me-to-32-random-bytes-hex",
      /TRANSCODER_SECRET: is a known placeholder/,
    ],
    ["short", "s3cr3t-but-short", /TRANSCODER_SECRET: must be at least 32/],
    ["a repeated character", "z".repeat(40), /TRANSCODER_SECRET: is a repeated or low-entropy/],
  ])("refuses TRANSCODER_SECRET (%s) even in development mode, naming it", (_label, value, message) => {
    const env = { ...DEV, TRANSCODER_SECRET: value };
    expect(() => loadConfig(env)).toThrow(message);
    if (value) expect(() => loadConfig(env)).not.toThrow(value);
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
