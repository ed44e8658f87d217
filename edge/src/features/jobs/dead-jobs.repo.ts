/** The jobs DLQ's records (`dead_jobs`, ADR 0028): written by its consumer, listed and retried by admins. */
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { deadJobs } from "../../db/schema.ts";

export type DeadJobRow = typeof deadJobs.$inferSelect;
export type NewDeadJob = typeof deadJobs.$inferInsert;

export class DeadJobsRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /** Records a dead-lettered job once (a redelivered DLQ message changes nothing). */
  async recordDeadJob(row: NewDeadJob): Promise<void> {
    await this.db.insert(deadJobs).values(row).onConflictDoNothing().run();
  }

  async findDeadJob(id: string): Promise<DeadJobRow | undefined> {
    return this.db.select().from(deadJobs).where(eq(deadJobs.id, id)).get();
  }

  /** Not retried yet, newest first. */
  async openDeadJobs(limit: number): Promise<DeadJobRow[]> {
    return this.db
      .select()
      .from(deadJobs)
      .where(isNull(deadJobs.retriedAt))
      .orderBy(desc(deadJobs.deadAt))
      .limit(limit)
      .all();
  }

  /** True for the one caller that marks it (two admins clicking at once: one retry). */
  async markRetried(id: string, adminId: string, now: number): Promise<boolean> {
    const res = await this.db
      .update(deadJobs)
      .set({ retriedAt: now, retriedBy: adminId })
      .where(and(eq(deadJobs.id, id), isNull(deadJobs.retriedAt)))
      .run();
    return res.meta.changes > 0;
  }
}
