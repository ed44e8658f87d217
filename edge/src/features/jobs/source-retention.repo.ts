/** D1 side of the failed-source retention sweep (issue 11, hole 2): who is due, and marking them done. */
import { and, eq, isNull, lt } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { videos } from "../../db/schema.ts";

export class SourceRetentionRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /** Failed videos whose source is still stored and whose last change is older than `before` (videos_status_idx). */
  async due(before: number, limit = 50): Promise<string[]> {
    const rows = await this.db
      .select({ id: videos.id })
      .from(videos)
      .where(and(eq(videos.status, "failed"), isNull(videos.sourceDeletedAt), lt(videos.updatedAt, before)))
      .limit(limit)
      .all();
    return rows.map((r) => r.id);
  }

  /** Only while still failed and unmarked: a second sweep, or a video that changed meanwhile, is left alone. */
  async markDeleted(id: string, at: number): Promise<boolean> {
    const res = await this.db
      .update(videos)
      .set({ sourceDeletedAt: at })
      .where(and(eq(videos.id, id), eq(videos.status, "failed"), isNull(videos.sourceDeletedAt)))
      .run();
    return res.meta.changes > 0;
  }
}
