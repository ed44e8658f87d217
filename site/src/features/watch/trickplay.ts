/**
 * Trick-play thumbnails: the WebVTT file the transcoder writes beside the renditions, whose
 * cues name one tile of a sprite sheet each (`sprite-0.jpg#xywh=160,0,160,90`, relative to
 * the VTT's own URL, so the signed delivery token in its path carries over). Pure: parsing,
 * lookup by time and URL resolution; the seek bar (`seek-preview.ts`) does the drawing.
 */

export interface TrickplayCue {
  /** Seconds. */
  start: number;
  end: number;
  /** The sprite as written in the file (usually relative), without the fragment. */
  sprite: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

const TIMESTAMP = /^(?:(\d+):)?([0-5]?\d):([0-5]\d)(?:[.,](\d{1,3}))?$/;
/** Media Fragments spatial dimension: `#xywh=x,y,w,h` or `#xywh=pixel:x,y,w,h` (percent is not used for sprites). */
const XYWH = /^(.*)#xywh=(?:pixel:)?(\d+),(\d+),(\d+),(\d+)$/;

function seconds(stamp: string): number | null {
  const m = TIMESTAMP.exec(stamp.trim());
  if (!m) return null;
  const [, h = "0", min, s, frac = "0"] = m;
  return Number(h) * 3600 + Number(min) * 60 + Number(s) + Number(frac.padEnd(3, "0")) / 1000;
}

/**
 * Cues in time order. Blocks that are not thumbnail cues (NOTE, STYLE, a cue whose text is
 * not a `#xywh` fragment, bad timings) are skipped rather than failing the whole file:
 * a missing preview is better than none at all. A file that is not WebVTT yields [].
 */
export function parseTrickplayVtt(text: string): TrickplayCue[] {
  const lines = text
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .split("\n");
  if (!lines[0]?.startsWith("WEBVTT")) return [];
  const cues: TrickplayCue[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.includes("-->")) continue;
    const [left = "", rightAndSettings = ""] = line.split("-->");
    const start = seconds(left);
    const end = seconds(rightAndSettings.trim().split(/\s+/)[0] ?? "");
    // The payload is the next non-empty line of the same block.
    const payload = lines[i + 1]?.trim() ?? "";
    const frag = XYWH.exec(payload);
    if (start === null || end === null || end <= start || !frag) continue;
    const [, sprite = "", x, y, w, h] = frag;
    if (!sprite || Number(w) === 0 || Number(h) === 0) continue;
    cues.push({ start, end, sprite, x: Number(x), y: Number(y), w: Number(w), h: Number(h) });
    i++;
  }
  return cues.sort((a, b) => a.start - b.start);
}

/**
 * The cue showing at `time` (binary search). Between cues (a gap) or past the end, the
 * nearest earlier one; before the first, the first — a preview is always better than a hole.
 */
export function cueAt(cues: readonly TrickplayCue[], time: number): TrickplayCue | null {
  if (cues.length === 0 || !Number.isFinite(time)) return null;
  let lo = 0;
  let hi = cues.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cues[mid]!.start <= time) lo = mid;
    else hi = mid - 1;
  }
  return cues[lo]!;
}

/** The sprite's absolute URL: relative to the VTT's URL (which carries the delivery token). */
export function spriteUrl(cue: Pick<TrickplayCue, "sprite">, vttUrl: string, base?: string): string {
  return new URL(cue.sprite, new URL(vttUrl, base)).href;
}
