import { describe, expect, it } from "vitest";
import { staticGraph } from "../../../scripts/watch-modules.mjs";
import type { VideoDto } from "../../lib/api.ts";
import { firstFramePreloads, lowestVideoRung, watchModulePaths } from "./first-frame.ts";

const rung = (name: string, height: number, bandwidth: number, kind: "video" | "audio" = "video") => ({
  name,
  kind,
  width: Math.round((height * 16) / 9),
  height,
  bandwidth,
  averageBandwidth: bandwidth,
  codecs: "avc1.4d4015,mp4a.40.2",
  frameRate: kind === "video" ? 30 : 0,
  playlist: `${name}/index.m3u8`,
});

const master = "/v/v_abc/tok.en/master.m3u8";
const video = {
  playable: true,
  playback: { hls: master, expiresAt: "2030-01-01T00:00:00Z" },
  // Master order is not height order (the transcoder lists 720p first).
  renditions: [
    rung("720p", 720, 1_400_000),
    rung("240p", 240, 290_000),
    rung("480p", 480, 620_000),
    rung("audio", 0, 130_000, "audio"),
  ],
} as unknown as VideoDto;

describe("first-frame preloads", () => {
  it("names the lowest video rung, never the audio rendition", () => {
    expect(lowestVideoRung(video)?.name).toBe("240p");
  });

  it("lists master, both playlists, then init and first segment of the low rung and the audio", () => {
    expect(firstFramePreloads(video)).toEqual([
      master,
      "/v/v_abc/tok.en/240p/index.m3u8",
      "/v/v_abc/tok.en/audio/index.m3u8",
      "/v/v_abc/tok.en/240p/init.mp4",
      "/v/v_abc/tok.en/240p/seg_00000.m4s",
      "/v/v_abc/tok.en/audio/init.mp4",
      "/v/v_abc/tok.en/audio/seg_00000.m4s",
    ]);
  });

  it("skips the first segments when the page starts later (?t=)", () => {
    const urls = firstFramePreloads(video, 30);
    expect(urls.some((u) => u.endsWith(".m4s"))).toBe(false);
    expect(urls).toContain("/v/v_abc/tok.en/240p/init.mp4");
  });

  it("preloads nothing for a video that cannot play yet", () => {
    expect(firstFramePreloads({ ...video, playable: false })).toEqual([]);
    expect(firstFramePreloads({ ...video, playback: null } as unknown as VideoDto)).toEqual([]);
  });

  it("a video without audio preloads only the video rung", () => {
    const silent = { ...video, renditions: video.renditions.filter((r) => r.kind === "video") };
    expect(firstFramePreloads(silent)).toHaveLength(4);
  });
});

describe("the first script's module graph (modulepreload)", () => {
  it("follows static imports only, every module once, largest first", () => {
    const files = new Map([
      ["entry.js", 'import{t as e}from"./hls.js";import{r as t}from"./player.js";e(t)'],
      ["hls.js", `import{t as e}from"./runtime.js";${"x".repeat(1000)}`],
      ["player.js", 'import"./token.js";import{a}from"./runtime.js";const l=()=>import("./stage.js")'],
      ["runtime.js", "export const t=1"],
      ["token.js", "export const a=1"],
      ["stage.js", "export const s=1"],
    ]);
    expect(staticGraph(files, "entry.js")).toEqual([
      "hls.js",
      "player.js",
      "entry.js",
      "runtime.js",
      "token.js",
    ]);
  });

  it("reads the list the build filled in; nothing before it ran or from anything else", () => {
    expect(watchModulePaths('["/_astro/hls.Ab_1.js","/_astro/x.js"]')).toEqual([
      "/_astro/hls.Ab_1.js",
      "/_astro/x.js",
    ]);
    expect(watchModulePaths("__STREAMLINE_WATCH_MODULES__")).toEqual([]);
    expect(watchModulePaths('["https://evil.example/x.js", 3, "/_astro/../x.js"]')).toEqual([]);
  });
});
