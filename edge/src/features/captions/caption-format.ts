/**
 * Caption files as owners upload them (WebVTT or SubRip) turned into validated WebVTT.
 * Pure functions: no storage, no HTTP. Errors name the line a person has to fix.
 */

export class CaptionFormatError extends Error {}

export interface ParsedCaptions {
  vtt: string;
  cues: number;
  /** End of the last cue, seconds. */
  endSec: number;
}

export const MAX_CAPTION_BYTES = 1024 * 1024;
const MAX_CUES = 20_000;

const VTT_TIME = /^(?:(\d{1,3}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;
const SRT_TIME = /^(\d{1,3}):([0-5]\d):([0-5]\d)[,.](\d{1,3})$/;

function seconds(m: RegExpExecArray, hasHours: boolean): number {
  const [h, min, s, ms] = hasHours ? [m[1], m[2], m[3], m[4]] : [m[1] ?? "0", m[2], m[3], m[4]];
  return Number(h ?? 0) * 3600 + Number(min) * 60 + Number(s) + Number(ms!.padEnd(3, "0")) / 1000;
}

function vttTimestamp(sec: number): string {
  const ms = Math.round(sec * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** The tags WebVTT cue text may carry (`<c.class>`, `<v Name>`, `</b>` …), lower case. */
const VTT_TAGS = ["b", "i", "u", "v", "c", "lang", "ruby", "rt"];

/** ASCII letters, digits, `_`: a regex `\w`, so the tag-name boundary is what `\b` was. */
function isWordChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
  );
}

/** `<` at `at` opens a WebVTT tag: an optional `/`, a tag name (any ASCII case), then a non-word character. */
function opensVttTag(line: string, at: number): boolean {
  const start = line.charCodeAt(at + 1) === 47 /* / */ ? at + 2 : at + 1;
  for (const tag of VTT_TAGS) {
    let k = 0;
    for (; k < tag.length; k++) {
      const code = line.charCodeAt(start + k);
      // ASCII-only case folding (A–Z → a–z), as the old case-insensitive regex did.
      if ((code >= 65 && code <= 90 ? code + 32 : code) !== tag.charCodeAt(k)) break;
    }
    if (k === tag.length && !isWordChar(line.charCodeAt(start + k))) return true;
  }
  return false;
}

/**
 * Removes every `<…>` that is not a WebVTT tag, leaving text and WebVTT tags alone: the
 * exact output of the old `/<(?!\/?(b|i|u|v|c|lang|ruby|rt)\b)[^>]*>/gi`, in one pass.
 * That regex retried `[^>]*` from every `<` of a line with no `>`: quadratic, 80k
 * characters ≈ 12 s. Here each `<` costs O(1) plus a search for `>` that either
 * consumes what it scanned or, finding none, ends the work (nothing later can close).
 */
export function stripNonVttMarkup(line: string): string {
  let out = "";
  let kept = 0;
  let open = line.indexOf("<");
  while (open >= 0) {
    if (opensVttTag(line, open)) {
      open = line.indexOf("<", open + 1);
      continue;
    }
    const close = line.indexOf(">", open + 1);
    if (close < 0) break;
    out += line.slice(kept, open);
    kept = close + 1;
    open = line.indexOf("<", kept);
  }
  return kept === 0 ? line : out + line.slice(kept);
}

/** Cue text must not smuggle markup beyond WebVTT's own tags, nor a blank line (it ends the cue). */
function cleanText(lines: string[]): string {
  return lines
    .map((l) => stripNonVttMarkup(l).replace(/-->/g, "→"))
    .filter((l) => l.trim() !== "")
    .join("\n");
}

function splitBlocks(text: string): string[][] {
  return text
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .split(/\n{2,}/)
    .map((b) => b.split("\n"))
    .filter((b) => b.some((l) => l.trim() !== ""));
}

function timing(line: string, lineNo: number, kind: "vtt" | "srt") {
  const [left, rightWithSettings] = line.split("-->").map((p) => p.trim());
  const right = rightWithSettings?.split(/\s+/)[0];
  const re = kind === "vtt" ? VTT_TIME : SRT_TIME;
  const a = left ? re.exec(left) : null;
  const b = right ? re.exec(right) : null;
  if (!a || !b) throw new CaptionFormatError(`cue ${lineNo}: bad timing line "${line.slice(0, 60)}"`);
  const start = seconds(a, kind === "srt");
  const end = seconds(b, kind === "srt");
  if (end <= start) throw new CaptionFormatError(`cue ${lineNo}: ends (${right}) before it starts (${left})`);
  const settings = kind === "vtt" ? rightWithSettings!.slice(right!.length).trim() : "";
  return { start, end, settings };
}

export function toWebVtt(input: string): ParsedCaptions {
  if (input.length > MAX_CAPTION_BYTES) throw new CaptionFormatError("caption file is larger than 1 MiB");
  if (input.includes("\u0000")) throw new CaptionFormatError("caption file is binary, not text");
  const blocks = splitBlocks(input);
  if (blocks.length === 0) throw new CaptionFormatError("caption file is empty");
  const kind = blocks[0]![0]!.startsWith("WEBVTT") ? "vtt" : "srt";
  const cues: string[] = [];
  let endSec = 0;
  const body = kind === "vtt" ? blocks.slice(1) : blocks;
  body.forEach((block, i) => {
    const n = i + 1;
    if (kind === "vtt" && /^(NOTE|STYLE|REGION)\b/.test(block[0]!)) return;
    const timingIndex = block.findIndex((l) => l.includes("-->"));
    if (timingIndex < 0 || timingIndex > 1)
      throw new CaptionFormatError(`cue ${n}: no "start --> end" timing line`);
    const { start, end, settings } = timing(block[timingIndex]!, n, kind);
    const text = cleanText(block.slice(timingIndex + 1));
    if (!text) return; // an empty cue shows nothing: drop it rather than fail the upload
    endSec = Math.max(endSec, end);
    cues.push(`${vttTimestamp(start)} --> ${vttTimestamp(end)}${settings ? ` ${settings}` : ""}\n${text}`);
  });
  if (cues.length === 0) throw new CaptionFormatError("caption file has no cues");
  if (cues.length > MAX_CUES) throw new CaptionFormatError(`caption file has more than ${MAX_CUES} cues`);
  return { vtt: `WEBVTT\n\n${cues.join("\n\n")}\n`, cues: cues.length, endSec };
}

/** A one-segment subtitles media playlist pointing at the .vtt beside it. */
export function subtitlesPlaylist(vttFile: string, durationSec: number): string {
  const d = Math.max(1, durationSec);
  return [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    `#EXT-X-TARGETDURATION:${Math.ceil(d)}`,
    "#EXT-X-MEDIA-SEQUENCE:0",
    "#EXT-X-PLAYLIST-TYPE:VOD",
    `#EXTINF:${d.toFixed(3)},`,
    vttFile,
    "#EXT-X-ENDLIST",
    "",
  ].join("\n");
}

export interface CaptionTrack {
  lang: string;
  label: string;
  isDefault: boolean;
}

const attr = (s: string) => s.replace(/["\n\r]/g, "");

/**
 * Adds a SUBTITLES group to a master playlist at serve time: one EXT-X-MEDIA per track
 * and `SUBTITLES="subs"` on every video variant (audio-only variants carry none).
 */
export function withSubtitles(master: string, tracks: CaptionTrack[]): string {
  if (tracks.length === 0) return master;
  const lines = master.replace(/\r\n?/g, "\n").split("\n");
  const media = tracks.map(
    (t) =>
      `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="${attr(t.label)}",LANGUAGE="${attr(t.lang)}",DEFAULT=${t.isDefault ? "YES" : "NO"},AUTOSELECT=YES,FORCED=NO,URI="captions/${t.lang}.m3u8"`,
  );
  const out: string[] = [];
  let inserted = false;
  for (const line of lines) {
    if (!inserted && line.startsWith("#EXT-X-STREAM-INF")) {
      out.push(...media);
      inserted = true;
    }
    if (line.startsWith("#EXT-X-STREAM-INF") && !/SUBTITLES=/.test(line) && /RESOLUTION=/.test(line)) {
      out.push(`${line},SUBTITLES="subs"`);
    } else {
      out.push(line);
    }
  }
  return out.join("\n");
}
