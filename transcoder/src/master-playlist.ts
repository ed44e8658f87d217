/**
 * HLS playlist text, both directions, as pure functions (no Node APIs, only type imports,
 * so the edge can reuse `writeMasterPlaylist` verbatim when it adds caption groups):
 *
 * - parsing media playlists (the parser lives in contracts/src/hls.ts, shared with the edge,
 *   and is re-exported here) and measuring BANDWIDTH / AVERAGE-BANDWIDTH from the real
 *   segment sizes;
 * - writing the media playlists we publish (EVENT while a rung is still growing, with
 *   `#EXT-X-ENDLIST` appended when it is complete);
 * - writing the master (DESIGN: not ffmpeg's `-master_pl_name`) from `Rendition`s: video
 *   variants, one shared AAC rendition group, an audio-only variant, optional SUBTITLES.
 */
import type { MediaPlaylist, MediaSegment, Rendition } from "@streamline/contracts";

export { type MediaPlaylist, type MediaSegment, parseMediaPlaylist } from "@streamline/contracts";

export interface PublishedMediaPlaylist {
  /** EVENT while a rung may still grow (phase 1); VOD for a rung published complete. */
  type: "EVENT" | "VOD";
  segments: readonly MediaSegment[];
  /** Nominal segment length; the tag is never below it, so it does not change as EVENT segments arrive. */
  segmentSeconds: number;
  /** false while the rung is still being encoded (EVENT without end), true once complete. */
  complete: boolean;
  mapUri?: string;
}

/**
 * The media playlist we publish for a rung. A rung published while it is still being
 * encoded is `EVENT` from its first version to its last (RFC 8216 §6.2.1: an EVENT
 * playlist may only be appended to, so the type never changes; `#EXT-X-ENDLIST` is
 * appended when the rung is complete, after which players treat it as VOD), with
 * `#EXT-X-START:TIME-OFFSET=0` so players start at the beginning rather than at the live
 * edge. A rung published complete is plain `VOD`.
 */
export function writeMediaPlaylist(p: PublishedMediaPlaylist): string {
  const longest = p.segments.reduce((m, s) => Math.max(m, Math.round(s.durationSec)), 0);
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    `#EXT-X-TARGETDURATION:${Math.max(Math.ceil(p.segmentSeconds), longest)}`,
    "#EXT-X-MEDIA-SEQUENCE:0",
    `#EXT-X-PLAYLIST-TYPE:${p.type}`,
    "#EXT-X-INDEPENDENT-SEGMENTS",
    ...(p.type === "EVENT" ? ["#EXT-X-START:TIME-OFFSET=0,PRECISE=YES"] : []),
    `#EXT-X-MAP:URI="${p.mapUri ?? "init.mp4"}"`,
  ];
  for (const s of p.segments) lines.push(`#EXTINF:${s.durationSec.toFixed(6)},`, s.uri);
  if (p.complete) lines.push("#EXT-X-ENDLIST");
  return `${lines.join("\n")}\n`;
}

export interface MeasuredBandwidth {
  /** Peak bits/s over segments (HLS BANDWIDTH). */
  peak: number;
  /** Total bits / total seconds (HLS AVERAGE-BANDWIDTH). */
  average: number;
  durationSec: number;
}

/**
 * `sizes` are byte sizes aligned with `playlist.segments`. A short trailing segment
 * (under half the target) is folded into its predecessor before taking the peak: its
 * keyframe dominates a fraction of a second and would advertise a fake peak that makes
 * players under-select the rung.
 */
export function measureBandwidth(
  playlist: Pick<MediaPlaylist, "segments" | "targetDurationSec">,
  sizes: readonly number[],
  initBytes = 0,
): MeasuredBandwidth {
  if (sizes.length !== playlist.segments.length) throw new Error("segment sizes do not match the playlist");
  const windows: { bytes: number; sec: number }[] = [];
  const half = Math.max(0.5, playlist.targetDurationSec / 2);
  playlist.segments.forEach((seg, i) => {
    const bytes = sizes[i] ?? 0;
    const prev = windows.at(-1);
    if (seg.durationSec < half && prev) {
      prev.bytes += bytes;
      prev.sec += seg.durationSec;
    } else windows.push({ bytes, sec: seg.durationSec });
  });
  let peak = 0;
  let totalBytes = initBytes;
  let totalSec = 0;
  for (const w of windows) {
    if (w.sec > 0) peak = Math.max(peak, (w.bytes * 8) / w.sec);
    totalBytes += w.bytes;
    totalSec += w.sec;
  }
  const average = totalSec > 0 ? (totalBytes * 8) / totalSec : 0;
  // A player fetches the init segment with the first media segment: count it in the peak.
  const first = windows[0];
  if (first && first.sec > 0) peak = Math.max(peak, ((first.bytes + initBytes) * 8) / first.sec);
  return {
    peak: Math.max(1, Math.ceil(peak)),
    average: Math.max(1, Math.ceil(average)),
    durationSec: totalSec,
  };
}

/** A caption/subtitle track (WebVTT wrapped in its own media playlist), as the edge lists them. */
export interface SubtitleTrack {
  /** Shown in the player's menu, e.g. "English". */
  name: string;
  /** BCP 47, e.g. "en", "pt-BR". */
  language: string;
  /** Media playlist path relative to the master, e.g. "captions/en/index.m3u8". */
  uri: string;
  default?: boolean;
  forced?: boolean;
}

export interface MasterOptions {
  subtitles?: readonly SubtitleTrack[];
}

export const AUDIO_GROUP_ID = "aud";
export const SUBTITLES_GROUP_ID = "subs";
/** Our AAC rendition is always stereo (`-ac 2`). */
const AUDIO_CHANNELS = "2";

/** Bitrate of the variant players should start with: decent picture, quick first segment. */
const START_VARIANT_MAX_BANDWIDTH = 2_500_000;

const FAMILY_ORDER = ["avc1", "hvc1", "av01"] as const;
function familyRank(r: Pick<Rendition, "codecs">): number {
  const i = FAMILY_ORDER.findIndex((f) => r.codecs.startsWith(f));
  return i < 0 ? FAMILY_ORDER.length : i;
}

/**
 * Variant order: the H.264 start variant first (Safari and hls.js load the first listed
 * variant before they have a bandwidth estimate, and every client decodes H.264), then
 * H.264 best to worst, then any extra codec ladder (HEVC, AV1) best to worst.
 */
export function orderVariants<T extends Pick<Rendition, "bandwidth" | "codecs">>(
  variants: readonly T[],
): T[] {
  const sorted = [...variants].sort((a, b) => familyRank(a) - familyRank(b) || b.bandwidth - a.bandwidth);
  const primary = sorted.filter((v) => familyRank(v) === familyRank(sorted[0] ?? { codecs: "" }));
  const start = primary.find((v) => v.bandwidth <= START_VARIANT_MAX_BANDWIDTH) ?? primary.at(-1);
  if (!start) return [];
  return [start, ...sorted.filter((v) => v !== start)];
}

/** A quoted-string attribute value: no double quotes or line breaks allowed (RFC 8216 §4.2). */
function quoted(value: string): string {
  return `"${value.replace(/["\r\n]/g, "").trim()}"`;
}

const yesNo = (b: boolean | undefined) => (b ? "YES" : "NO");

/**
 * The master playlist for the renditions published so far. `Rendition.bandwidth` and
 * `.codecs` of a video rendition already describe the whole variant (video + the shared
 * audio rendition), exactly as `BANDWIDTH` and `CODECS` need them. Exact output:
 *
 *   #EXTM3U
 *   #EXT-X-VERSION:7
 *   #EXT-X-INDEPENDENT-SEGMENTS
 *   #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/index.m3u8"
 *   #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="captions/en/index.m3u8"
 *   #EXT-X-STREAM-INF:BANDWIDTH=…,AVERAGE-BANDWIDTH=…,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=30.000,AUDIO="aud",SUBTITLES="subs"
 *   720p/index.m3u8
 *   …
 *   #EXT-X-STREAM-INF:BANDWIDTH=…,AVERAGE-BANDWIDTH=…,CODECS="mp4a.40.2",AUDIO="aud"
 *   audio/index.m3u8
 *
 * The audio lines appear only with an audio rendition, the SUBTITLES lines/attributes
 * only with `opts.subtitles` (on video variants only, like the edge's `withSubtitles`).
 */
export function writeMasterPlaylist(renditions: readonly Rendition[], opts: MasterOptions = {}): string {
  const audio = renditions.find((r) => r.kind === "audio");
  const videos = renditions.filter((r) => r.kind !== "audio");
  const subtitles = opts.subtitles ?? [];
  const lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"];
  if (audio) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${AUDIO_GROUP_ID}",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,` +
        `CHANNELS="${AUDIO_CHANNELS}",URI=${quoted(audio.playlist)}`,
    );
  }
  for (const s of subtitles) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="${SUBTITLES_GROUP_ID}",NAME=${quoted(s.name)},` +
        `LANGUAGE=${quoted(s.language)},DEFAULT=${yesNo(s.default)},AUTOSELECT=YES,` +
        `FORCED=${yesNo(s.forced)},URI=${quoted(s.uri)}`,
    );
  }
  const audioGroup = audio ? [`AUDIO="${AUDIO_GROUP_ID}"`] : [];
  const groups = [...audioGroup, ...(subtitles.length > 0 ? [`SUBTITLES="${SUBTITLES_GROUP_ID}"`] : [])];
  for (const v of orderVariants(videos)) {
    const attrs = [
      `BANDWIDTH=${v.bandwidth}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth}`,
      `CODECS="${v.codecs}"`,
      `RESOLUTION=${v.width}x${v.height}`,
      `FRAME-RATE=${v.frameRate.toFixed(3)}`,
      ...groups,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(",")}`, v.playlist);
  }
  if (audio) {
    // Audio-only variant for very low bandwidth (hls.js ignores it when video variants exist).
    const attrs = [
      `BANDWIDTH=${audio.bandwidth}`,
      `AVERAGE-BANDWIDTH=${audio.averageBandwidth}`,
      `CODECS="${audio.codecs}"`,
      ...audioGroup,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(",")}`, audio.playlist);
  }
  return `${lines.join("\n")}\n`;
}

export interface MasterEntry {
  attributes: Record<string, string>;
  uri: string;
}

function parseAttributes(list: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const m of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    attributes[m[1] as string] = (m[2] as string).replace(/^"|"$/g, "");
  }
  return attributes;
}

/** Minimal master parser: the variants (`#EXT-X-STREAM-INF` + URI), in order. */
export function parseMasterPlaylist(text: string): MasterEntry[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const out: MasterEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (!line.startsWith("#EXT-X-STREAM-INF:")) continue;
    out.push({ attributes: parseAttributes(line.slice(18)), uri: lines[i + 1] ?? "" });
  }
  return out;
}

/** The `#EXT-X-MEDIA` renditions of a master (attributes; `uri` = its URI attribute or ""). */
export function parseMasterMedia(text: string): MasterEntry[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith("#EXT-X-MEDIA:"))
    .map((l) => {
      const attributes = parseAttributes(l.slice(13));
      return { attributes, uri: attributes.URI ?? "" };
    });
}
