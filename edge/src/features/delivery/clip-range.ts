/**
 * The arithmetic of clips (ADR 0027), pure. A clip plays whole segments of its source: the
 * range asked for is snapped outward to segment boundaries of the source's reference rung
 * (every rung is cut on the same 4 s grid, transcoder/src/ffmpeg/hls.ts), and each of the
 * source's media playlists is served restricted to the segments inside that range. The
 * shared AAC rendition's segments do not end exactly on the grid (1024-sample frames), so
 * a segment belongs to the clip when its midpoint lies inside the range: the same segment
 * numbers in every rendition, whatever their rounding.
 */
import type { MediaPlaylistInfo } from "./dash-manifest.ts";

export interface ClipRange {
  startSec: number;
  endSec: number;
}

/** Rounded to the millisecond, so stored boundaries compare exactly. */
const ms = (sec: number) => Math.round(sec * 1000) / 1000;

/** Segment start times of a playlist, summed as they are listed. */
function starts(segments: MediaPlaylistInfo["segments"]): number[] {
  const out: number[] = [];
  let t = 0;
  for (const s of segments) {
    out.push(t);
    t += s.durationSec;
  }
  return out;
}

/**
 * `[startSec, endSec)` widened to whole segments: from the start of the segment holding
 * `startSec` to the end of the segment holding the last instant before `endSec`. Null when
 * the range holds no segment (past the end).
 */
export function snapToSegments(playlist: MediaPlaylistInfo, range: ClipRange): ClipRange | null {
  const t = starts(playlist.segments);
  let first = -1;
  let last = -1;
  playlist.segments.forEach((s, i) => {
    const end = t[i]! + s.durationSec;
    if (first === -1 && end > range.startSec) first = i;
    if (t[i]! < range.endSec) last = i;
  });
  if (first === -1 || last < first) return null;
  const lastSeg = playlist.segments[last]!;
  return { startSec: ms(t[first]!), endSec: ms(t[last]! + lastSeg.durationSec) };
}

/** Indexes of the segments whose midpoint lies in `[startSec, endSec)`. */
export function segmentsInRange(playlist: MediaPlaylistInfo, range: ClipRange): number[] {
  const t = starts(playlist.segments);
  const out: number[] = [];
  playlist.segments.forEach((s, i) => {
    const mid = t[i]! + s.durationSec / 2;
    if (mid >= range.startSec && mid < range.endSec) out.push(i);
  });
  return out;
}

/**
 * A source media playlist (ours: transcoder/src/master-playlist.ts) restricted to the
 * clip: a VOD playlist of the same init segment and the chosen segments, their URIs
 * untouched (relative, so they resolve under the clip's signed path). Null when no
 * segment falls in the range.
 */
export function clipMediaPlaylist(playlist: MediaPlaylistInfo, range: ClipRange): string | null {
  const chosen = segmentsInRange(playlist, range);
  if (chosen.length === 0) return null;
  const segments = chosen.map((i) => playlist.segments[i]!);
  const longest = Math.max(...segments.map((s) => Math.ceil(s.durationSec)));
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    `#EXT-X-TARGETDURATION:${longest}`,
    `#EXT-X-MEDIA-SEQUENCE:${chosen[0]}`,
    "#EXT-X-PLAYLIST-TYPE:VOD",
    "#EXT-X-INDEPENDENT-SEGMENTS",
    `#EXT-X-MAP:URI="${playlist.initUri}"`,
  ];
  for (const s of segments) lines.push(`#EXTINF:${s.durationSec.toFixed(6)},`, s.uri);
  lines.push("#EXT-X-ENDLIST");
  return `${lines.join("\n")}\n`;
}
