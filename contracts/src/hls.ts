/**
 * Parsing an HLS media playlist (RFC 8216) as far as Streamline needs it: the init segment
 * (`#EXT-X-MAP`), the segments with their `#EXTINF` durations, the target duration, the type
 * and whether it ended. Pure: the transcoder reads ffmpeg's playlists with it, the edge reads
 * the ones the transcoder published (DASH manifests, clips).
 */

export interface MediaSegment {
  uri: string;
  durationSec: number;
}

export interface MediaPlaylist {
  targetDurationSec: number;
  mapUri: string | null;
  segments: MediaSegment[];
  endList: boolean;
  /** `#EXT-X-PLAYLIST-TYPE`, when present. */
  playlistType: "VOD" | "EVENT" | null;
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== "#EXTM3U") throw new Error("not an HLS playlist (missing #EXTM3U)");
  let targetDurationSec = 0;
  let mapUri: string | null = null;
  let pending: number | null = null;
  let endList = false;
  let playlistType: MediaPlaylist["playlistType"] = null;
  const segments: MediaSegment[] = [];
  for (const line of lines) {
    if (line.startsWith("#EXT-X-TARGETDURATION:")) targetDurationSec = Number(line.slice(22));
    else if (line.startsWith("#EXT-X-MAP:")) mapUri = /URI="([^"]+)"/.exec(line)?.[1] ?? null;
    else if (line.startsWith("#EXT-X-PLAYLIST-TYPE:")) {
      const t = line.slice(21);
      playlistType = t === "VOD" || t === "EVENT" ? t : null;
    } else if (line.startsWith("#EXTINF:")) pending = Number.parseFloat(line.slice(8));
    else if (line === "#EXT-X-ENDLIST") endList = true;
    else if (line && !line.startsWith("#") && pending !== null) {
      segments.push({ uri: line, durationSec: pending });
      pending = null;
    }
  }
  return { targetDurationSec, mapUri, segments, endList, playlistType };
}
