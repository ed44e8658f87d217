import type { Rendition } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import {
  measureBandwidth,
  orderVariants,
  parseMasterMedia,
  parseMasterPlaylist,
  parseMediaPlaylist,
  writeMasterPlaylist,
  writeMediaPlaylist,
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

describe("published media playlists", () => {
  const segs = [
    { uri: "seg_00000.m4s", durationSec: 4 },
    { uri: "seg_00001.m4s", durationSec: 4.010667 },
  ];

  it("a growing rung is EVENT, starts at 0, has no end list; complete appends #EXT-X-ENDLIST", () => {
    const growing = writeMediaPlaylist({ type: "EVENT", segments: segs, segmentSeconds: 4, complete: false });
    expect(growing).toBe(
      [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        "#EXT-X-TARGETDURATION:4",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        "#EXT-X-START:TIME-OFFSET=0,PRECISE=YES",
        '#EXT-X-MAP:URI="init.mp4"',
        "#EXTINF:4.000000,",
        "seg_00000.m4s",
        "#EXTINF:4.010667,",
        "seg_00001.m4s",
        "",
      ].join("\n"),
    );
    const done = writeMediaPlaylist({
      type: "EVENT",
      segments: [...segs, { uri: "seg_00002.m4s", durationSec: 1.5 }],
      segmentSeconds: 4,
      complete: true,
    });
    // Append-only: the complete version starts with the growing one (minus nothing).
    expect(done.startsWith(growing)).toBe(true);
    expect(done.endsWith("seg_00002.m4s\n#EXT-X-ENDLIST\n")).toBe(true);
    const parsed = parseMediaPlaylist(done);
    expect([parsed.playlistType, parsed.endList, parsed.segments.length]).toEqual(["EVENT", true, 3]);
  });

  it("TARGETDURATION never shrinks below the segment length and covers a long segment", () => {
    const one = writeMediaPlaylist({
      type: "VOD",
      segments: segs.slice(0, 1),
      segmentSeconds: 4,
      complete: true,
    });
    expect(one).toContain("#EXT-X-TARGETDURATION:4\n");
    expect(one).toContain("#EXT-X-PLAYLIST-TYPE:VOD\n");
    expect(one).not.toContain("EXT-X-START");
    const long = writeMediaPlaylist({
      type: "VOD",
      segments: [{ uri: "seg_00000.m4s", durationSec: 6.6 }],
      segmentSeconds: 4,
      complete: true,
    });
    expect(long).toContain("#EXT-X-TARGETDURATION:7\n");
  });
});

const video = (name: string, w: number, h: number, bandwidth: number, codecs: string): Rendition => ({
  name,
  kind: "video",
  width: w,
  height: h,
  bandwidth,
  averageBandwidth: Math.round(bandwidth * 0.7),
  codecs,
  frameRate: 30,
  playlist: `${name}/index.m3u8`,
});
const audio: Rendition = {
  name: "audio",
  kind: "audio",
  width: 0,
  height: 0,
  bandwidth: 140_000,
  averageBandwidth: 131_000,
  codecs: "mp4a.40.2",
  frameRate: 0,
  playlist: "audio/index.m3u8",
};

describe("master playlist", () => {
  const ladder = [
    video("240p", 426, 240, 590_000, "avc1.4d4015,mp4a.40.2"),
    video("1080p", 1920, 1080, 5_740_000, "avc1.640028,mp4a.40.2"),
    { ...video("480p", 854, 480, 1_740_000, "avc1.64001f,mp4a.40.2"), frameRate: 29.97 },
    video("720p", 1280, 720, 3_440_000, "avc1.64001f,mp4a.40.2"),
  ];

  it("starts with a mid rung, then best to worst; extra codecs after H.264", () => {
    expect(orderVariants(ladder).map((v) => v.name)).toEqual(["480p", "1080p", "720p", "240p"]);
    const withAv1 = [...ladder, video("720p-av1", 1280, 720, 1_900_000, "av01.0.08M.08,mp4a.40.2")];
    expect(orderVariants(withAv1).map((v) => v.name)).toEqual(["480p", "1080p", "720p", "240p", "720p-av1"]);
  });

  it("writes the exact format: audio group, variants with AUDIO, audio-only variant, subtitles", () => {
    // 720p is above the 2.5 Mbit/s start cap: 240p is listed first.
    const text = writeMasterPlaylist([ladder[0] as Rendition, ladder[3] as Rendition, audio], {
      subtitles: [
        { name: "English", language: "en", uri: "captions/en/index.m3u8", default: true },
        { name: 'Fran"çais', language: "fr", uri: "captions/fr/index.m3u8" },
      ],
    });
    expect(text).toBe(
      [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/index.m3u8"',
        '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,URI="captions/en/index.m3u8"',
        '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Français",LANGUAGE="fr",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="captions/fr/index.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=590000,AVERAGE-BANDWIDTH=413000,CODECS="avc1.4d4015,mp4a.40.2",RESOLUTION=426x240,FRAME-RATE=30.000,AUDIO="aud",SUBTITLES="subs"',
        "240p/index.m3u8",
        '#EXT-X-STREAM-INF:BANDWIDTH=3440000,AVERAGE-BANDWIDTH=2408000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=30.000,AUDIO="aud",SUBTITLES="subs"',
        "720p/index.m3u8",
        '#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=131000,CODECS="mp4a.40.2",AUDIO="aud"',
        "audio/index.m3u8",
        "",
      ].join("\n"),
    );
    const media = parseMasterMedia(text);
    expect(media.map((m) => [m.attributes.TYPE, m.uri])).toEqual([
      ["AUDIO", "audio/index.m3u8"],
      ["SUBTITLES", "captions/en/index.m3u8"],
      ["SUBTITLES", "captions/fr/index.m3u8"],
    ]);
  });

  it("without audio: no group, no AUDIO attribute, video-only CODECS; round-trips through the parser", () => {
    const silent = ladder.map((r) => ({ ...r, codecs: r.codecs.split(",")[0] as string }));
    const text = writeMasterPlaylist(silent);
    expect(text.startsWith("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF")).toBe(
      true,
    );
    expect(text).not.toContain("AUDIO");
    const parsed = parseMasterPlaylist(text);
    expect(parsed).toHaveLength(4);
    expect(parsed.find((v) => v.uri === "480p/index.m3u8")?.attributes).toEqual({
      BANDWIDTH: "1740000",
      "AVERAGE-BANDWIDTH": "1218000",
      CODECS: "avc1.64001f",
      RESOLUTION: "854x480",
      "FRAME-RATE": "29.970",
    });
  });
});
