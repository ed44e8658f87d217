/**
 * FTS5 `highlight()`/`snippet()` output → `{ text, ranges }` (contracts' `Highlighted`).
 * The SQL wraps matches in two control characters no stored title, description or caption
 * text can hold (contracts refuse U+0000–U+001F in titles, captions are stripped of them);
 * a stray one is dropped rather than trusted.
 */
import type { Highlighted } from "@streamline/contracts";

export const MARK_OPEN = "\u0002";
export const MARK_CLOSE = "\u0003";

export function parseHighlighted(marked: string): Highlighted {
  let text = "";
  let open: number | undefined;
  const ranges: [number, number][] = [];
  for (const ch of marked) {
    if (ch === MARK_OPEN) open = text.length;
    else if (ch === MARK_CLOSE) {
      if (open !== undefined && text.length > open) ranges.push([open, text.length]);
      open = undefined;
    } else text += ch;
  }
  return { text, ranges };
}

/** A snippet that marks nothing says the words matched elsewhere: not worth showing. */
export function snippetOrNull(marked: string | null | undefined): Highlighted | null {
  if (!marked) return null;
  const h = parseHighlighted(marked);
  return h.ranges.length ? h : null;
}
