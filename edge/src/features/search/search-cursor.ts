/**
 * Opaque keyset cursors of search pages: the sort, the last row's sort value (a bm25 score,
 * a publish time or a view count) and its id, base64url JSON. A cursor from another sort is
 * refused. Scores are exact doubles, so "after this row" is exact while the index is unchanged.
 */
import type { SearchSort } from "@streamline/contracts";
import { z } from "zod";
import { AppError } from "../../lib/errors.ts";

const Payload = z.object({
  s: z.enum(["relevance", "date", "views", "channels"]),
  v: z.number().finite(),
  id: z.string().regex(/^[uv]_[A-Za-z0-9]{16}$/),
});
export type SearchCursor = z.infer<typeof Payload>;
export type CursorSort = SearchSort | "channels";

export function encodeCursor(c: SearchCursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify(c));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

export function decodeCursor(cursor: string | undefined, sort: CursorSort): SearchCursor | undefined {
  if (!cursor) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
  } catch {
    parsed = undefined;
  }
  const c = Payload.safeParse(parsed);
  if (!c.success || c.data.s !== sort)
    throw new AppError(400, "invalid_cursor", "not a cursor from nextCursor");
  return c.data;
}
