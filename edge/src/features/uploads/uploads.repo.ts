/** D1 reads behind the per-user upload limits (storage quota, unfinished uploads). */
import { eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { videos } from "../../db/schema.ts";

export interface UploadUsage {
  /** Declared sizes of every video whose source is still in storage (in-progress uploads too). */
  storedBytes: number;
  /** Uploads in `uploading` that have not expired yet. */
  unfinished: number;
}

export class UploadsRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /** One indexed scan of the owner's videos (videos_owner_status_idx). */
  async usage(ownerId: string, now: number): Promise<UploadUsage> {
    const row = await this.db
      .select({
        storedBytes: sql<number>`coalesce(sum(case when ${videos.sourceDeletedAt} is null then ${videos.size} else 0 end), 0)`,
        unfinished: sql<number>`coalesce(sum(case when ${videos.status} = 'uploading' and ${videos.uploadExpiresAt} > ${now} then 1 else 0 end), 0)`,
      })
      .from(videos)
      .where(eq(videos.ownerId, ownerId))
      .get();
    return { storedBytes: Number(row?.storedBytes ?? 0), unfinished: Number(row?.unfinished ?? 0) };
  }
}
