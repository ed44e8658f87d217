/**
 * Media playlist parsing, bandwidth measurement and the master playlist we write
 * ourselves (DESIGN: not ffmpeg's `-master_pl_name`): BANDWIDTH is the measured peak
 * segment bitrate, AVERAGE-BANDWIDTH the whole-stream average, CODECS/RESOLUTION/
 * FRAME-RATE come from the encoder settings. Pure functions.
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
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== "#EXTM3U") throw new Error("not an HLS playlist (missing #EXTM3U)");
  let targetDurationSec = 0;
  let mapUri: string | null = null;
  let pending: number | null = null;
  let endList = false;
  const segments: MediaSegment[] = [];
  for (const line of lines) {
    if (line.startsWith("#EXT-X-TARGETDURATION:")) targetDurationSec = Number(line.slice(22));
    else if (line.startsWith("#EXT-X-MAP:")) mapUri = /URI="([^"]+)"/.exec(line)?.[1] ?? null;
    else if (line.startsWith("#EXTINF:")) pending = Number.parseFloat(line.slice(8));
    else if (line === "#EXT-X-ENDLIST") endList = true;
    else if (line && !line.startsWith("#") && pending !== null) {
      segments.push({ uri: line, durationSec: pending });
      pending = null;
    }
  }
  return { targetDurationSec, mapUri, segments, endList };
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
  playlist: MediaPlaylist,
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

export interface MasterVariant {
  name: string;
  playlist: string;
  bandwidth: number;
  averageBandwidth: number;
  codecs: string;
  width: number;
  height: number;
  frameRate: number;
}

/** Bitrate of the variant players should start with: decent picture, quick first segment. */
const START_VARIANT_MAX_BANDWIDTH = 2_500_000;

/**
 * Variant order: the start variant first (Safari and hls.js load the first listed
 * variant before they have a bandwidth estimate), then the rest from best to worst.
 */
export function orderVariants(variants: readonly MasterVariant[]): MasterVariant[] {
  const byBandwidthDesc = [...variants].sort((a, b) => b.bandwidth - a.bandwidth);
  const start =
    byBandwidthDesc.find((v) => v.bandwidth <= START_VARIANT_MAX_BANDWIDTH) ?? byBandwidthDesc.at(-1);
  if (!start) return [];
  return [start, ...byBandwidthDesc.filter((v) => v !== start)];
}

export function writeMasterPlaylist(variants: readonly MasterVariant[]): string {
  const lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"];
  for (const v of orderVariants(variants)) {
    const attrs = [
      `BANDWIDTH=${v.bandwidth}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth}`,
      `CODECS="${v.codecs}"`,
      `RESOLUTION=${v.width}x${v.height}`,
      `FRAME-RATE=${v.frameRate.toFixed(3)}`,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(",")}`, v.playlist);
  }
  return `${lines.join("\n")}\n`;
}

/** Minimal master parser (tests, and anyone checking what we published). */
export function parseMasterPlaylist(text: string): { attributes: Record<string, string>; uri: string }[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const out: { attributes: Record<string, string>; uri: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (!line.startsWith("#EXT-X-STREAM-INF:")) continue;
    const attributes: Record<string, string> = {};
    for (const m of line.slice(18).matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
      attributes[m[1] as string] = (m[2] as string).replace(/^"|"$/g, "");
    }
    out.push({ attributes, uri: lines[i + 1] ?? "" });
  }
  return out;
}
