/**
 * Test helper: reads a published video back from S3 the way a player would and checks it
 * against RFC 8216 rules we rely on (playlist syntax, TARGETDURATION, groups referenced
 * by variants, CODECS vs the real init segment) and against what ffprobe sees in every
 * segment (keyframe at the start, size, streams). Returns what it measured so tests can
 * compare rungs (segment boundaries) and make per-fixture assertions.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import {
  type MasterEntry,
  type MediaPlaylist,
  parseMasterMedia,
  parseMasterPlaylist,
  parseMediaPlaylist,
} from "../master-playlist.ts";
import { type PacketInfo, probeStreams, videoCodecFromInit, videoPackets } from "./media.ts";
import type { TestS3 } from "./s3.ts";

/** Syntax checks of a media playlist; returns it parsed. */
export function validateMediaPlaylist(text: string, where: string): MediaPlaylist {
  const lines = text.split("\n");
  expect(lines[0], `${where}: first line`).toBe("#EXTM3U");
  expect(text.endsWith("\n"), `${where}: ends with a newline`).toBe(true);
  for (const tag of ["#EXT-X-VERSION:", "#EXT-X-TARGETDURATION:", "#EXT-X-MEDIA-SEQUENCE:", "#EXT-X-MAP:"]) {
    expect(
      lines.filter((l) => l.startsWith(tag)),
      `${where}: exactly one ${tag}`,
    ).toHaveLength(1);
  }
  lines.forEach((line, i) => {
    if (line.startsWith("#EXTINF:")) {
      expect(lines[i + 1] ?? "", `${where}: URI after ${line}`).toMatch(/^[^#\s]+$/);
    }
  });
  const playlist = parseMediaPlaylist(text);
  expect(playlist.segments.length, `${where}: segments`).toBeGreaterThan(0);
  for (const s of playlist.segments) {
    // RFC 8216 §4.3.3.1: EXTINF rounded to the nearest integer ≤ TARGETDURATION.
    expect(Math.round(s.durationSec), `${where}: ${s.uri} within TARGETDURATION`).toBeLessThanOrEqual(
      playlist.targetDurationSec,
    );
    expect(s.durationSec).toBeGreaterThan(0);
  }
  if (playlist.endList) expect(lines.at(-2), `${where}: ENDLIST is last`).toBe("#EXT-X-ENDLIST");
  return playlist;
}

export interface ParsedMaster {
  variants: MasterEntry[];
  media: MasterEntry[];
}

/** Syntax and consistency checks of a master playlist. */
export function validateMaster(text: string): ParsedMaster {
  const lines = text.split("\n");
  expect(lines[0]).toBe("#EXTM3U");
  lines.forEach((line, i) => {
    if (line.startsWith("#EXT-X-STREAM-INF:")) expect(lines[i + 1] ?? "").toMatch(/^[^#\s]+\.m3u8$/);
  });
  const variants = parseMasterPlaylist(text);
  const media = parseMasterMedia(text);
  for (const m of media) {
    for (const a of ["TYPE", "GROUP-ID", "NAME", "URI"])
      expect(m.attributes[a], `EXT-X-MEDIA ${a}`).toBeTruthy();
  }
  expect(variants.length).toBeGreaterThan(0);
  for (const v of variants) {
    const a = v.attributes;
    expect(Number(a.BANDWIDTH)).toBeGreaterThan(0);
    expect(Number.isInteger(Number(a.BANDWIDTH))).toBe(true);
    expect(Number(a.BANDWIDTH)).toBeGreaterThanOrEqual(Number(a["AVERAGE-BANDWIDTH"]));
    const codecs = (a.CODECS ?? "").split(",");
    const hasVideo = codecs.some((c) => /^(avc1|hvc1|hev1|av01)\./.test(c));
    if (hasVideo) expect(a.RESOLUTION, `${v.uri} RESOLUTION`).toMatch(/^\d+x\d+$/);
    if (a.AUDIO) {
      expect(media.some((m) => m.attributes.TYPE === "AUDIO" && m.attributes["GROUP-ID"] === a.AUDIO)).toBe(
        true,
      );
      // A variant that references an audio group lists the group's codec too (RFC 8216 §4.3.4.2).
      expect(codecs, `${v.uri} CODECS lists the audio codec`).toContain("mp4a.40.2");
    } else {
      expect(codecs).not.toContain("mp4a.40.2");
    }
    if (a.SUBTITLES) {
      expect(
        media.some((m) => m.attributes.TYPE === "SUBTITLES" && m.attributes["GROUP-ID"] === a.SUBTITLES),
      ).toBe(true);
    }
  }
  return { variants, media };
}

export interface InspectedRendition {
  uri: string;
  playlist: MediaPlaylist;
  totalSec: number;
  /** PTS of the first packet of each segment (video: a keyframe). */
  starts: number[];
  /** Video packets of every segment, concatenated. */
  packets: PacketInfo[];
  /** ffprobe streams of the first segment (init + segment). */
  streams: Record<string, string | number>[];
  init: Uint8Array;
  initCodec: string | null;
}

export async function getOk(s3: TestS3, key: string): Promise<Response> {
  const res = await s3.client.fetch(s3.url(key));
  expect(res.status, key).toBe(200);
  return res;
}

/** Fetches one media playlist and all of its segments; ffprobes each (init + segment). */
export async function inspectRendition(
  s3: TestS3,
  ffprobe: string,
  scratch: string,
  prefix: string,
  uri: string,
  kind: "video" | "audio",
): Promise<InspectedRendition> {
  const dir = uri.slice(0, uri.lastIndexOf("/"));
  const playlistRes = await getOk(s3, `${prefix}${uri}`);
  expect(playlistRes.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
  const playlist = validateMediaPlaylist(await playlistRes.text(), uri);
  expect(playlist.mapUri).toBe("init.mp4");
  const initRes = await getOk(s3, `${prefix}${dir}/init.mp4`);
  expect(initRes.headers.get("content-type")).toBe("video/mp4");
  const init = new Uint8Array(await initRes.arrayBuffer());
  const starts: number[] = [];
  const packets: PacketInfo[] = [];
  let streams: Record<string, string | number>[] = [];
  for (const [i, seg] of playlist.segments.entries()) {
    const segRes = await getOk(s3, `${prefix}${dir}/${seg.uri}`);
    expect(segRes.headers.get("content-type")).toBe("video/iso.segment");
    const file = join(scratch, `${prefix.replace(/\W/g, "_")}${dir}_${seg.uri}.mp4`);
    await writeFile(file, Buffer.concat([init, new Uint8Array(await segRes.arrayBuffer())]));
    if (i === 0) streams = await probeStreams(ffprobe, file);
    if (kind === "video") {
      const p = await videoPackets(ffprobe, file);
      expect(p[0]?.key, `${uri} ${seg.uri} starts with a keyframe`).toBe(true);
      starts.push(Number(p[0]?.ptsSec.toFixed(3)));
      packets.push(...p);
    }
  }
  const totalSec = playlist.segments.reduce((t, s) => t + s.durationSec, 0);
  return { uri, playlist, totalSec, starts, packets, streams, init, initCodec: videoCodecFromInit(init) };
}

/** Cue lines of a thumbnails VTT: start/end seconds and the xywh fragment. */
export function parseThumbnailCues(
  vtt: string,
): { start: number; end: number; file: string; x: number; y: number; w: number; h: number }[] {
  const secs = (t: string) => {
    const [h, m, s] = t.split(":");
    return Number(h) * 3600 + Number(m) * 60 + Number(s);
  };
  const lines = vtt.split("\n");
  expect(lines[0]).toBe("WEBVTT");
  const cues = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})$/.exec(lines[i] ?? "");
    if (!m) continue;
    const ref = /^([\w.-]+)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(lines[i + 1] ?? "");
    expect(ref, `cue payload ${lines[i + 1]}`).not.toBeNull();
    cues.push({
      start: secs(m[1] as string),
      end: secs(m[2] as string),
      file: ref?.[1] as string,
      x: Number(ref?.[2]),
      y: Number(ref?.[3]),
      w: Number(ref?.[4]),
      h: Number(ref?.[5]),
    });
  }
  return cues;
}
