/**
 * A search highlight (`{ text, ranges }` from `GET /api/search`) as DOM nodes: text nodes for
 * the plain stretches and `<mark>` elements holding text nodes for the matches. User text
 * only ever becomes text nodes — never markup (no innerHTML).
 */
import type { Highlighted } from "@streamline/contracts";

export interface Piece {
  text: string;
  marked: boolean;
}

/** The text cut at the ranges; ranges out of order, overlapping or out of bounds are skipped. */
export function highlightPieces(h: Highlighted): Piece[] {
  const pieces: Piece[] = [];
  let at = 0;
  for (const [start, end] of h.ranges) {
    if (start < at || end <= start || end > h.text.length) continue;
    if (start > at) pieces.push({ text: h.text.slice(at, start), marked: false });
    pieces.push({ text: h.text.slice(start, end), marked: true });
    at = end;
  }
  if (at < h.text.length) pieces.push({ text: h.text.slice(at), marked: false });
  return pieces;
}

export function highlightNodes(doc: Document, h: Highlighted): Node[] {
  return highlightPieces(h).map((p) => {
    if (!p.marked) return doc.createTextNode(p.text);
    const mark = doc.createElement("mark");
    mark.append(doc.createTextNode(p.text));
    return mark;
  });
}
