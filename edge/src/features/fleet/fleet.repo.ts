/**
 * D1 side of the admin fleet page: the transcodes waiting, running and failed (`videos`).
 * The jobs DLQ's records are jobs/dead-jobs.repo.ts.
 */
import { asc, count, desc, eq, inArray, min } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { videos } from "../../db/schema.ts";

export class FleetRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /** Transcodes waiting for a node: how many, and since when the oldest. */
  async queueDepth(): Promise<{ depth: number; oldestQueuedAt: number | null }> {
    const row = await this.db
      .select({ depth: count(), oldest: min(videos.queuedAt) })
      .from(videos)
      .where(eq(videos.status, "queued"))
      .get();
    return { depth: row?.depth ?? 0, oldestQueuedAt: row?.oldest ?? null };
  }

  async inFlight(limit: number) {
    return this.db
      .select({
        videoId: videos.id,
        title: videos.title,
        status: videos.status,
        jobId: videos.jobId,
        attempt: videos.attempt,
        queuedAt: videos.queuedAt,
        heartbeatAt: videos.heartbeatAt,
      })
      .from(videos)
      .where(inArray(videos.status, ["queued", "processing"]))
      .orderBy(asc(videos.queuedAt))
      .limit(limit)
      .all();
  }

  /** Newest first, over the (status, updated_at) index. */
  async recentFailures(limit: number) {
    return this.db
      .select({
        videoId: videos.id,
        title: videos.title,
        attempt: videos.attempt,
        failureCode: videos.failureCode,
        failureReason: videos.failureReason,
        failedAt: videos.updatedAt,
      })
      .from(videos)
      .where(eq(videos.status, "failed"))
      .orderBy(desc(videos.updatedAt))
      .limit(limit)
      .all();
  }
}
