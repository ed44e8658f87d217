/** D1 access for caption tracks. */
import { and, asc, eq } from "drizzle-orm";
import { primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Database } from "../../db/client.ts";
import { type CaptionRow, captions } from "../../db/schema.ts";

/**
 * Cue text per track for search: created by the hand-written migration 0017 (ADR 0021), so
 * it is declared here rather than in schema.ts (drizzle-kit generates from schema.ts only).
 */
const captionTexts = sqliteTable(
  "caption_texts",
  { videoId: text("video_id").notNull(), lang: text("lang").notNull(), text: text("text").notNull() },
  (t) => [primaryKey({ columns: [t.videoId, t.lang] })],
);

export class CaptionsRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  list(videoId: string): Promise<CaptionRow[]> {
    return this.db
      .select()
      .from(captions)
      .where(eq(captions.videoId, videoId))
      .orderBy(asc(captions.lang))
      .all();
  }

  /**
   * The track and its cue text (`caption_texts`, which search indexes — migration 0017's
   * triggers, ADR 0021) in one batch; removing the track cascades to its text.
   */
  async upsert(row: Omit<CaptionRow, "createdAt">, text: string): Promise<void> {
    if (row.isDefault) {
      // One default track per video.
      await this.db.update(captions).set({ isDefault: false }).where(eq(captions.videoId, row.videoId)).run();
    }
    await this.db.batch([
      this.db
        .insert(captions)
        .values(row)
        .onConflictDoUpdate({
          target: [captions.videoId, captions.lang],
          set: { label: row.label, isDefault: row.isDefault, cues: row.cues },
        }),
      this.db
        .insert(captionTexts)
        .values({ videoId: row.videoId, lang: row.lang, text })
        .onConflictDoUpdate({ target: [captionTexts.videoId, captionTexts.lang], set: { text } }),
    ]);
  }

  async remove(videoId: string, lang: string): Promise<boolean> {
    const res = await this.db
      .delete(captions)
      .where(and(eq(captions.videoId, videoId), eq(captions.lang, lang)))
      .run();
    return res.meta.changes > 0;
  }
}
