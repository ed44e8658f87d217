/**
 * Where each rung's static MP4 stands (ADR 0027), kept in `videos.downloads_json` as
 * `{ "720p": { status, attemptId, at, key?, sizeBytes?, reason? } }`. Every write is one
 * SQL statement on one rung's entry (`json_set`), conditioned on what the writer saw, so
 * two rungs finishing at once, or two viewers asking at once, never undo each other: only
 * one request claims a rung (and queues its job), and only the claimed attempt settles it.
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../db/client.ts";
import { type VideoRow, videos } from "../../db/schema.ts";

export const DownloadEntry = z.object({
  status: z.enum(["preparing", "ready", "failed"]),
  attemptId: z.string(),
  /** When the entry last changed (ms). */
  at: z.number(),
  key: z.string().optional(),
  sizeBytes: z.number().optional(),
  reason: z.string().optional(),
});
export type DownloadEntry = z.infer<typeof DownloadEntry>;

const Entries = z.record(z.string(), DownloadEntry);

/**
 * A preparing entry older than this is presumed lost (its job died), and a failed one may be
 * tried again: the next request claims it anew.
 */
export const STALE_PREPARING_MS = 10 * 60 * 1000;

export function downloadsOf(row: Pick<VideoRow, "downloadsJson">): Record<string, DownloadEntry> {
  if (!row.downloadsJson) return {};
  try {
    return Entries.safeParse(JSON.parse(row.downloadsJson)).data ?? {};
  } catch {
    return {};
  }
}

/** Viewers may download: the owner's choice, or the deployment default (`MP4_DOWNLOADS`). */
export function downloadsEnabled(
  row: Pick<VideoRow, "downloadEnabled">,
  config: { MP4_DOWNLOADS: "default" | "opt-in" },
): boolean {
  return row.downloadEnabled ?? config.MP4_DOWNLOADS === "default";
}

/** The rung a download attempt belongs to (events carry the attempt id), or null. */
export function downloadRungOf(row: Pick<VideoRow, "downloadsJson">, attemptId: string): string | null {
  for (const [rung, entry] of Object.entries(downloadsOf(row)))
    if (entry.attemptId === attemptId) return rung;
  return null;
}

/** `$."720p"`: a JSON path to one rung (rung names are `[a-z0-9_-]`, checked by contracts). */
const pathOf = (rung: string) => `$."${rung.replace(/[^a-z0-9_-]/g, "")}"`;
const field = (rung: string, name: string): SQL =>
  sql`json_extract(${videos.downloadsJson}, ${`${pathOf(rung)}.${name}`})`;
const setEntry = (rung: string, entry: DownloadEntry): SQL =>
  sql`json_set(coalesce(${videos.downloadsJson}, '{}'), ${pathOf(rung)}, json(${JSON.stringify(entry)}))`;

/**
 * Claims `rung` for a new attempt when nothing usable is there: no entry, or a preparing or
 * failed one older than STALE_PREPARING_MS. True: this caller queues the job; false: someone else has it.
 */
export async function claimDownload(
  db: Database,
  videoId: string,
  rung: string,
  attemptId: string,
  now: number,
): Promise<boolean> {
  const entry: DownloadEntry = { status: "preparing", attemptId, at: now };
  const status = field(rung, "status");
  const res = await db
    .update(videos)
    .set({ downloadsJson: setEntry(rung, entry) })
    .where(
      and(
        eq(videos.id, videoId),
        sql`(${status} is null or (${status} in ('preparing', 'failed') and ${field(rung, "at")} < ${now - STALE_PREPARING_MS}))`,
      ),
    )
    .run();
  return res.meta.changes > 0;
}

/** The claimed attempt's result; an event of any other attempt changes nothing. */
export async function settleDownload(
  db: Database,
  videoId: string,
  rung: string,
  entry: DownloadEntry,
): Promise<boolean> {
  const res = await db
    .update(videos)
    .set({ downloadsJson: setEntry(rung, entry) })
    .where(and(eq(videos.id, videoId), sql`${field(rung, "attemptId")} = ${entry.attemptId}`))
    .run();
  return res.meta.changes > 0;
}
