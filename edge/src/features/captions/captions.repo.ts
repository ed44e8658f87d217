/** D1 access for caption tracks. */
import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type CaptionRow, captions } from "../../db/schema.ts";

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

  async upsert(row: Omit<CaptionRow, "createdAt">): Promise<void> {
    if (row.isDefault) {
      // One default track per video.
      await this.db.update(captions).set({ isDefault: false }).where(eq(captions.videoId, row.videoId)).run();
    }
    await this.db
      .insert(captions)
      .values(row)
      .onConflictDoUpdate({
        target: [captions.videoId, captions.lang],
        set: { label: row.label, isDefault: row.isDefault, cues: row.cues },
      })
      .run();
  }

  async remove(videoId: string, lang: string): Promise<boolean> {
    const res = await this.db
      .delete(captions)
      .where(and(eq(captions.videoId, videoId), eq(captions.lang, lang)))
      .run();
    return res.meta.changes > 0;
  }
}
