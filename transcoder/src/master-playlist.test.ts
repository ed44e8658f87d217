import { describe, expect, it } from "vitest";
import {
  type MasterVariant,
  measureBandwidth,
  orderVariants,
  parseMasterPlaylist,
  parseMediaPlaylist,
  writeMasterPlaylist,
} from "./master-playlist.ts";

const media = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.000000,
seg_00000.m4s
#EXTINF:4.000000,
seg_00001.m4s
#EXTINF:0.400000,
seg_00002.m4s
#EXT-X-ENDLIST
`;

describe("media playlists", () => {
  it("parses segments, map and end list", () => {
    const p = parseMediaPlaylist(media);
    expect(p.targetDurationSec).toBe(4);
    expect(p.mapUri).toBe("init.mp4");
    expect(p.endList).toBe(true);
    expect(p.segments.map((s) => [s.uri, s.durationSec])).toEqual([
      ["seg_00000.m4s", 4],
      ["seg_00001.m4s", 4],
      ["seg_00002.m4s", 0.4],
    ]);
  });

  it("measures peak and average bandwidth, folding a tiny last segment into the previous", () => {
    const p = parseMediaPlaylist(media);
    // 1 Mbit/s, 2 Mbit/s, then a 0.4 s tail at 5 Mbit/s that must not become the peak.
    const bw = measureBandwidth(p, [500_000, 1_000_000, 250_000]);
    expect(bw.peak).toBe(Math.ceil(((1_000_000 + 250_000) * 8) / 4.4));
    expect(bw.average).toBe(Math.ceil((1_750_000 * 8) / 8.4));
    expect(bw.durationSec).toBeCloseTo(8.4);
  });
});

describe("master playlist", () => {
  const variants: MasterVariant[] = [
    {
      name: "240p",
      playlist: "240p/index.m3u8",
      bandwidth: 450_000,
      averageBandwidth: 300_000,
      codecs: "avc1.4d4015,mp4a.40.2",
      width: 426,
      height: 240,
      frameRate: 30,
    },
    {
      name: "1080p",
      playlist: "1080p/index.m3u8",
      bandwidth: 5_600_000,
      averageBandwidth: 4_000_000,
      codecs: "avc1.640028,mp4a.40.2",
      width: 1920,
      height: 1080,
      frameRate: 30,
    },
    {
      name: "480p",
      playlist: "480p/index.m3u8",
      bandwidth: 1_600_000,
      averageBandwidth: 1_100_000,
      codecs: "avc1.64001f,mp4a.40.2",
      width: 854,
      height: 480,
      frameRate: 29.97,
    },
    {
      name: "720p",
      playlist: "720p/index.m3u8",
      bandwidth: 3_300_000,
      averageBandwidth: 2_400_000,
      codecs: "avc1.64001f,mp4a.40.2",
      width: 1280,
      height: 720,
      frameRate: 30,
    },
  ];

  it("starts with a mid rung, then best to worst", () => {
    expect(orderVariants(variants).map((v) => v.name)).toEqual(["480p", "1080p", "720p", "240p"]);
  });

  it("writes every required attribute and round-trips through the parser", () => {
    const text = writeMasterPlaylist(variants);
    expect(text.startsWith("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n")).toBe(true);
    const parsed = parseMasterPlaylist(text);
    expect(parsed).toHaveLength(4);
    const p480 = parsed.find((v) => v.uri === "480p/index.m3u8");
    expect(p480?.attributes).toEqual({
      BANDWIDTH: "1600000",
      "AVERAGE-BANDWIDTH": "1100000",
      CODECS: "avc1.64001f,mp4a.40.2",
      RESOLUTION: "854x480",
      "FRAME-RATE": "29.970",
    });
  });
});
