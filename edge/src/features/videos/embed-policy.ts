/**
 * Who may frame a video's `/embed/:id` page (ADR 0019): the stored settings, read back as
 * the API shows them, and the CSP `frame-ancestors` source list they turn into. Every other
 * page keeps `frame-ancestors 'none'` (middleware/security-headers).
 */
import { EmbedOrigin, type EmbedSettings } from "@streamline/contracts";
import { z } from "zod";
import type { VideoRow } from "../../db/schema.ts";

const StoredOrigins = z.array(EmbedOrigin);

/** The row's settings; an unreadable origins list frames nowhere rather than everywhere. */
export function embedSettingsOf(row: Pick<VideoRow, "embedAllowed" | "embedOriginsJson">): EmbedSettings {
  if (row.embedOriginsJson === null) return { allowed: row.embedAllowed, origins: null };
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(row.embedOriginsJson);
  } catch {
    parsed = null;
  }
  const origins = StoredOrigins.safeParse(parsed);
  return { allowed: row.embedAllowed, origins: origins.success ? origins.data : [] };
}

/** May anyone but the site itself play it in a frame: seen by all (public or unlisted), ready, allowed. */
export function isEmbeddable(
  row: Pick<VideoRow, "visibility" | "playable" | "takenDownAt" | "embedAllowed">,
): boolean {
  return row.visibility !== "private" && row.playable && row.takenDownAt === null && row.embedAllowed;
}

/**
 * The `frame-ancestors` sources for one embed page: `*` (any https/http page — CSP's `*`
 * does not match `data:` or `blob:` parents), the allowed origins, or `'none'` when the
 * video may not be embedded (or is not there at all). An empty allow-list frames nowhere.
 */
export function frameAncestors(
  row: Pick<VideoRow, "visibility" | "playable" | "takenDownAt" | "embedAllowed" | "embedOriginsJson"> | null,
): string {
  if (!row || !isEmbeddable(row)) return "'none'";
  const { origins } = embedSettingsOf(row);
  if (origins === null) return "*";
  return origins.length ? origins.join(" ") : "'none'";
}
