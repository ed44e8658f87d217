/**
 * DASH beside HLS, from the same bytes: the renditions are fMP4 (CMAF-style init segment +
 * `moof/mdat` fragments), so an MPEG-DASH manifest can point at exactly the files the HLS
 * media playlists list — no second copy of the media. Built at serve time from each
 * rendition's stored media playlist (`#EXT-X-MAP` → initialization, `#EXTINF` + URI →
 * a SegmentTimeline), static (VOD) and only for `ready` videos, whose playlists are final.
 *
 * One AdaptationSet per codec family (H.264, HEVC, AV1: players switch within a set) and
 * one for the shared AAC audio. Segment times are in milliseconds, rounded from the running
 * sum of the playlist's durations so rounding never accumulates. Segment URIs must be
 * numbered consecutively (`seg_00001.m4s`, … — the transcoder's naming), which lets one
 * `SegmentTemplate` with `$Number%05d$` describe them; a playlist that is not is left out.
 * ADR 0026.
 */
import { parseMediaPlaylist as parseHlsMediaPlaylist, type Rendition } from "@streamline/contracts";

/** One media playlist, as far as DASH needs it. */
export interface MediaPlaylistInfo {
  initUri: string;
  segments: { uri: string; durationSec: number }[];
}

/**
 * Our own media playlists (the transcoder publishes them; contracts/src/hls.ts parses them)
 * as DASH needs them: an init segment and at least one segment, every duration positive.
 */
export function parseMediaPlaylist(text: string): MediaPlaylistInfo | null {
  let parsed: ReturnType<typeof parseHlsMediaPlaylist>;
  try {
    parsed = parseHlsMediaPlaylist(text);
  } catch {
    return null; // not a playlist at all
  }
  const { mapUri, segments } = parsed;
  if (!mapUri || segments.length === 0) return null;
  if (segments.some((s) => !Number.isFinite(s.durationSec) || s.durationSec <= 0)) return null;
  return { initUri: mapUri, segments };
}

interface Timeline {
  /** `media` template relative to the rung folder, e.g. `seg_$Number%05d$.m4s`. */
  media: string;
  startNumber: number;
  /** `<S>` entries: start (first only), duration in ms, repeat count. */
  entries: { t?: number; d: number; r: number }[];
  totalMs: number;
}

const NUMBERED = /^([A-Za-z0-9_-]*?)(\d+)(\.m4s)$/;

/** The playlist's segments as one numbered template + a run-length SegmentTimeline. */
export function timelineOf(info: MediaPlaylistInfo): Timeline | null {
  const first = NUMBERED.exec(info.segments[0]!.uri);
  if (!first) return null;
  const [, prefix, digits, ext] = first;
  const start = Number(digits);
  const width = digits!.length;
  const entries: Timeline["entries"] = [];
  let sumSec = 0;
  let prevMs = 0;
  for (const [i, seg] of info.segments.entries()) {
    const m = NUMBERED.exec(seg.uri);
    if (!m || m[1] !== prefix || m[3] !== ext || Number(m[2]) !== start + i) return null;
    sumSec += seg.durationSec;
    const endMs = Math.round(sumSec * 1000);
    const d = endMs - prevMs;
    prevMs = endMs;
    const last = entries.at(-1);
    if (last && last.d === d) last.r += 1;
    else entries.push({ ...(entries.length === 0 ? { t: 0 } : {}), d, r: 0 });
  }
  const pad = width > 1 ? `%0${width}d` : "";
  return { media: `${prefix}$Number${pad}$${ext}`, startNumber: start, entries, totalMs: prevMs };
}

export interface DashRendition {
  rendition: Rendition;
  /** Folder of the rendition's playlist, relative to the video prefix (e.g. `720p`). */
  dir: string;
  playlist: MediaPlaylistInfo;
}

const attr = (v: string | number) =>
  String(v).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** ISO 8601 duration with millisecond precision, e.g. `PT1M4.533S`. */
export function isoDuration(totalMs: number): string {
  const sec = totalMs / 1000;
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = (sec % 60).toFixed(3).replace(/\.?0+$/, "");
  return `PT${h ? `${h}H` : ""}${m ? `${m}M` : ""}${s}S`;
}

function codecFamily(r: Rendition): string {
  if (r.kind === "audio") return "audio";
  return r.codecs.split(",")[0]!.split(".")[0]!; // avc1 | hvc1 | hev1 | av01
}

function representation(item: DashRendition, tl: Timeline): string {
  const r = item.rendition;
  const video = r.kind !== "audio";
  // A video rung's CODECS may name the shared audio too ("avc1…,mp4a…"): DASH wants its own.
  const codecs = video ? r.codecs.split(",").find((c) => !c.startsWith("mp4a")) : r.codecs.split(",")[0];
  const dims = video
    ? ` width="${r.width}" height="${r.height}"${r.frameRate > 0 ? ` frameRate="${attr(frameRate(r.frameRate))}"` : ""}`
    : "";
  const timeline = tl.entries
    .map((e) => `<S${e.t !== undefined ? ` t="${e.t}"` : ""} d="${e.d}"${e.r ? ` r="${e.r}"` : ""}/>`)
    .join("");
  return [
    `      <Representation id="${attr(r.name)}" bandwidth="${r.bandwidth}" codecs="${attr(codecs ?? r.codecs)}"${dims}>`,
    ...(video
      ? []
      : [
          '        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2"/>',
        ]),
    `        <SegmentTemplate timescale="1000" initialization="${attr(`${item.dir}/${item.playlist.initUri}`)}" media="${attr(`${item.dir}/${tl.media}`)}" startNumber="${tl.startNumber}">`,
    `          <SegmentTimeline>${timeline}</SegmentTimeline>`,
    "        </SegmentTemplate>",
    "      </Representation>",
  ].join("\n");
}

/** `30`, or `30000/1001` for NTSC rates. */
function frameRate(fps: number): string {
  const ntsc = [23.976, 29.97, 59.94].find((r) => Math.abs(fps - r) < 0.01);
  return ntsc ? `${Math.round(ntsc * 1.001) * 1000}/1001` : String(Math.round(fps * 1000) / 1000);
}

/** The MPD for `items` (ready renditions with their parsed playlists). */
export function buildMpd(items: readonly DashRendition[]): string | null {
  const sets = new Map<string, { item: DashRendition; tl: Timeline }[]>();
  for (const item of items) {
    const tl = timelineOf(item.playlist);
    if (!tl) continue;
    const family = codecFamily(item.rendition);
    sets.set(family, [...(sets.get(family) ?? []), { item, tl }]);
  }
  const videoSets = [...sets.entries()].filter(([f]) => f !== "audio");
  if (videoSets.length === 0 && !sets.has("audio")) return null;
  const totalMs = Math.max(...[...sets.values()].flat().map((x) => x.tl.totalMs));
  const adaptation = (id: number, family: string, reps: { item: DashRendition; tl: Timeline }[]) => {
    const audio = family === "audio";
    const sorted = [...reps].sort((a, b) => a.item.rendition.bandwidth - b.item.rendition.bandwidth);
    const head = audio
      ? `    <AdaptationSet id="${id}" contentType="audio" mimeType="audio/mp4" segmentAlignment="true" lang="und">`
      : `    <AdaptationSet id="${id}" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">`;
    return [head, ...sorted.map((x) => representation(x.item, x.tl)), "    </AdaptationSet>"].join("\n");
  };
  const blocks = [
    ...videoSets.map(([family, reps], i) => adaptation(i, family, reps)),
    ...(sets.has("audio") ? [adaptation(videoSets.length, "audio", sets.get("audio")!)] : []),
  ];
  const duration = isoDuration(totalMs);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="${duration}" minBufferTime="PT2S">`,
    `  <Period id="0" start="PT0S" duration="${duration}">`,
    ...blocks,
    "  </Period>",
    "</MPD>",
    "",
  ].join("\n");
}
