/**
 * D1 access for moderation: reports, the queue grouped by target, the append-only audit
 * log, and the writes of the actions (takedown, suspension and their undoing). The audit
 * row of an action is written in the same batch as the action and the reports it closes.
 */
import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../../db/client.ts";
import { type AuditLogRow, auditLog, type ReportRow, reports, users, videos } from "../../db/schema.ts";
import { randomId } from "../../lib/ids.ts";

export const newReportId = () => `r_${randomId(16)}`;
export const newAuditId = () => `al_${randomId(16)}`;

export type NewReport = Pick<
  ReportRow,
  "reporterId" | "targetType" | "targetId" | "targetOwnerId" | "reason" | "details"
>;
export type NewAuditEntry = Omit<AuditLogRow, "id" | "createdAt">;
export type Target = Pick<ReportRow, "targetType" | "targetId">;

/** One target of the queue: its first report's time (the order) and the key. */
export interface QueueGroup extends Target {
  firstAt: number;
}

type Batch = [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];

export class ModerationRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /** The new report, or undefined when the reporter already has an open one on this target. */
  async insertReport(r: NewReport, now: number): Promise<ReportRow | undefined> {
    return this.db
      .insert(reports)
      .values({ ...r, id: newReportId(), status: "open", createdAt: now })
      .onConflictDoNothing()
      .returning()
      .get();
  }

  async findReport(id: string): Promise<ReportRow | undefined> {
    return this.db.select().from(reports).where(eq(reports.id, id)).get();
  }

  /** Targets with reports in `status`, oldest first report first, keyset after `after`. */
  async groups(status: ReportRow["status"], limit: number, after?: QueueGroup): Promise<QueueGroup[]> {
    const firstAt = sql<number>`min(${reports.createdAt})`;
    const keyset = after
      ? sql`having (${firstAt}, ${reports.targetType}, ${reports.targetId}) > (${after.firstAt}, ${after.targetType}, ${after.targetId})`
      : sql``;
    return this.db.all<QueueGroup>(sql`select ${reports.targetType} as targetType, ${reports.targetId} as targetId,
        ${firstAt} as firstAt
      from ${reports} where ${reports.status} = ${status}
      group by ${reports.targetType}, ${reports.targetId} ${keyset}
      order by firstAt, targetType, targetId limit ${limit}`);
  }

  /** Every report (any status) on these targets, oldest first, with the reporter's handle. */
  async reportsOn(targets: Target[]): Promise<(ReportRow & { reporterHandle: string | null })[]> {
    if (!targets.length) return [];
    const byTarget = targets.map(
      (t) => and(eq(reports.targetType, t.targetType), eq(reports.targetId, t.targetId))!,
    );
    return this.db
      .select({ report: reports, reporterHandle: users.handle })
      .from(reports)
      .leftJoin(users, eq(users.id, reports.reporterId))
      .where(or(...byTarget))
      .orderBy(asc(reports.createdAt), asc(reports.id))
      .all()
      .then((rows) => rows.map((r) => ({ ...r.report, reporterHandle: r.reporterHandle })));
  }

  /** Closes every open report on the target (a batch step). */
  resolveStep(target: Target, action: string, actorId: string, now: number) {
    return this.db
      .update(reports)
      .set({ status: "resolved", resolution: action, resolvedBy: actorId, resolvedAt: now })
      .where(
        and(
          eq(reports.targetType, target.targetType),
          eq(reports.targetId, target.targetId),
          eq(reports.status, "open"),
        ),
      );
  }

  auditStep(entry: NewAuditEntry, now: number) {
    return this.db.insert(auditLog).values({ ...entry, id: newAuditId(), createdAt: now });
  }

  /**
   * Runs the action's own writes, its audit row and the closing of the open reports on
   * `closes` in one transaction; returns how many reports it closed.
   */
  async commit(steps: BatchItem<"sqlite">[], entry: NewAuditEntry, now: number, closes: Target | null) {
    const batch: Batch = [this.auditStep(entry, now), ...steps];
    if (closes)
      batch.push(this.resolveStep(closes, entry.action, entry.actorId, now).returning({ id: reports.id }));
    const results = (await this.db.batch(batch)) as unknown[];
    return closes ? (results.at(-1) as unknown[]).length : 0;
  }

  takeDownStep(videoId: string, reason: string, now: number) {
    return this.db
      .update(videos)
      .set({
        takenDownAt: now,
        takedownReason: reason,
        accessEpoch: sql`${videos.accessEpoch} + 1`,
        updatedAt: now,
      })
      .where(and(eq(videos.id, videoId), isNull(videos.takenDownAt)));
  }

  restoreVideoStep(videoId: string, now: number) {
    return this.db
      .update(videos)
      .set({ takenDownAt: null, takedownReason: null, updatedAt: now })
      .where(and(eq(videos.id, videoId), isNotNull(videos.takenDownAt)));
  }

  suspendSteps(userId: string, reason: string, now: number) {
    return [
      this.db
        .update(users)
        .set({ suspendedAt: now, suspendReason: reason, updatedAt: now })
        .where(and(eq(users.id, userId), isNull(users.suspendedAt))),
      // Every playback token of their videos dies now (ADR 0003).
      this.db
        .update(videos)
        .set({ accessEpoch: sql`${videos.accessEpoch} + 1` })
        .where(eq(videos.ownerId, userId)),
    ];
  }

  /** Ids of every video the user owns (their rooms' sockets close on suspension). */
  async videoIdsOf(userId: string): Promise<string[]> {
    const rows = await this.db.select({ id: videos.id }).from(videos).where(eq(videos.ownerId, userId)).all();
    return rows.map((r) => r.id);
  }

  unsuspendStep(userId: string, now: number) {
    return this.db
      .update(users)
      .set({ suspendedAt: null, suspendReason: null, updatedAt: now })
      .where(and(eq(users.id, userId), isNotNull(users.suspendedAt)));
  }

  async audit(limit: number, after?: { at: number; id: string }): Promise<AuditLogRow[]> {
    const conds: SQL[] = [];
    if (after) {
      conds.push(
        or(
          lt(auditLog.createdAt, after.at),
          and(eq(auditLog.createdAt, after.at), lt(auditLog.id, after.id)),
        )!,
      );
    }
    return this.db
      .select()
      .from(auditLog)
      .where(and(...conds))
      .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
      .limit(limit)
      .all();
  }

  async usersByIds(ids: string[]) {
    if (!ids.length) return [];
    return this.db
      .select({
        id: users.id,
        handle: users.handle,
        suspendedAt: users.suspendedAt,
        suspendReason: users.suspendReason,
      })
      .from(users)
      .where(inArray(users.id, ids))
      .all();
  }
}
