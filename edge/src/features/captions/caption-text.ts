/**
 * The words of a caption track, for search (ADR 0021): the cue text of the WebVTT that
 * `toWebVtt` produced, without timings, cue settings, WebVTT tags or entities, on one line.
 * Control characters become spaces (search's highlight markers are control characters).
 */

/** Enough for a feature film's dialogue; the rest of a longer track is not searched. */
export const MAX_CAPTION_TEXT_CHARS = 200_000;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", nbsp: " ", lrm: "", rlm: "" };

/**
 * Removes `<…>` tags in one pass (a `/<[^>]*>/g` would rescan to the line's end from every
 * `<` of a line with no `>`: quadratic on a hostile 1 MiB track). Text after a `<` that
 * nothing closes is kept.
 */
function stripTags(line: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const open = line.indexOf("<", at);
    const close = open < 0 ? -1 : line.indexOf(">", open + 1);
    if (close < 0) return out + line.slice(at);
    out += line.slice(at, open);
    at = close + 1;
  }
}

export function cueText(vtt: string): string {
  const words: string[] = [];
  for (const block of vtt.split(/\n{2,}/)) {
    const lines = block.split("\n");
    const timing = lines.findIndex((l) => l.includes("-->"));
    if (timing < 0) continue; // the WEBVTT header, NOTE/STYLE/REGION blocks
    for (const line of lines.slice(timing + 1)) {
      words.push(
        stripTags(line).replace(/&(amp|lt|gt|nbsp|lrm|rlm);/g, (_m, name: string) => ENTITIES[name] ?? ""),
      );
    }
  }
  return (
    words
      .join(" ")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
      .replace(/[\u0000-\u001F\u007F]+/g, " ")
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, MAX_CAPTION_TEXT_CHARS)
  );
}
