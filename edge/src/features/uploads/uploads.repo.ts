/** D1 reads behind the per-user upload limits (storage quota, unfinished uploads, new accounts). */
import { eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { users, videos } from "../../db/schema.ts";

/** The new-account limit counts uploads started in this window (issue 15, ADR 0024). */
export const NEW_ACCOUNT_WINDOW_MS = 24 * 3600_000;

export interface UploadUsage {
  /** Declared sizes of every video whose source is still in storage (in-progress uploads too). */
  storedBytes: number;
  /** Uploads in `uploading` that have not expired yet. */
  unfinished: number;
  /** Uploads started in the last NEW_ACCOUNT_WINDOW_MS, and the oldest of them (ms). */
  recentUploads: number;
  oldestRecentAt: number | null;
  /** When the account was created (null: an owner without an account row). */
  accountCreatedAt: number | null;
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
        recentUploads: sql<number>`coalesce(sum(case when ${videos.createdAt} > ${now - NEW_ACCOUNT_WINDOW_MS} then 1 else 0 end), 0)`,
        oldestRecentAt: sql<
          number | null
        >`min(case when ${videos.createdAt} > ${now - NEW_ACCOUNT_WINDOW_MS} then ${videos.createdAt} end)`,
        accountCreatedAt: sql<
          number | null
        >`(select ${users.createdAt} from ${users} where ${users.id} = ${ownerId})`,
      })
      .from(videos)
      .where(eq(videos.ownerId, ownerId))
      .get();
    return {
      storedBytes: Number(row?.storedBytes ?? 0),
      unfinished: Number(row?.unfinished ?? 0),
      recentUploads: Number(row?.recentUploads ?? 0),
      oldestRecentAt: row?.oldestRecentAt ?? null,
      accountCreatedAt: row?.accountCreatedAt ?? null,
    };
  }
}
