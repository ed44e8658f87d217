/**
 * The moderators' side (issue 15, ADR 0024): the report queue grouped by target (oldest
 * first report first, with the content as it is now), resolving a report with an action,
 * restoring, and reading the audit log. Every entry point checks the caller moderates.
 */
import {
  ADMIN_REPORTS_PAGE_SIZE,
  type AdminReportsQuery,
  type AdminReportsResponse,
  AUDIT_PAGE_SIZE,
  type AuditResponse,
  type ModerationAction,
  type ReportGroupDto,
  type ResolveReportBody,
} from "@streamline/contracts";
import { AppError, notFound } from "../../lib/errors.ts";
import type { Services } from "../../lib/services.ts";
import { UsersRepo } from "../auth/users.repo.ts";
import { ModerationRepo, type QueueGroup, type Target } from "./moderation.repo.ts";
import { ACTIONS, type ActionContext, restoreVideo, unsuspendUser } from "./moderation-actions.ts";
import { ReportedContentRepo } from "./reported-content.repo.ts";
import { toReportDto } from "./reports.service.ts";
import { requireStaff } from "./staff.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function parseGroupCursor(cursor?: string): QueueGroup | undefined {
  if (!cursor) return undefined;
  const [at, type, ...rest] = cursor.split(".");
  return { firstAt: Number(at), targetType: type as Target["targetType"], targetId: rest.join(".") };
}

export class ModerationService {
  private readonly services: Services;
  private readonly repo: ModerationRepo;
  private readonly now: () => number;
  constructor(services: Services, now: () => number = Date.now) {
    this.services = services;
    this.repo = new ModerationRepo(services.db);
    this.now = now;
  }

  async queue(userId: string, q: AdminReportsQuery): Promise<AdminReportsResponse> {
    await requireStaff(this.services.db, userId);
    const groups = await this.repo.groups(q.status, ADMIN_REPORTS_PAGE_SIZE, parseGroupCursor(q.cursor));
    const [reports, content] = await Promise.all([
      this.repo.reportsOn(groups),
      new ReportedContentRepo(this.services.db).load(groups),
    ]);
    const ownerIds = [...new Set([...content.values()].flatMap((v) => (v.ownerId ? [v.ownerId] : [])))];
    const owners = new Map((await this.repo.usersByIds(ownerIds)).map((u) => [u.id, u]));
    const last = groups.length === ADMIN_REPORTS_PAGE_SIZE ? groups.at(-1) : undefined;
    return {
      groups: groups.map((g): ReportGroupDto => {
        const view = ReportedContentRepo.viewOf(content, g);
        const owner = view.ownerId ? owners.get(view.ownerId) : undefined;
        return {
          targetType: g.targetType,
          targetId: g.targetId,
          content: view.content,
          owner: owner
            ? {
                id: owner.id,
                handle: owner.handle,
                suspended: owner.suspendedAt
                  ? { at: iso(owner.suspendedAt)!, reason: owner.suspendReason ?? "" }
                  : null,
              }
            : null,
          firstReportedAt: iso(g.firstAt)!,
          reports: reports
            .filter((r) => r.targetType === g.targetType && r.targetId === g.targetId)
            .map((r) => ({
              ...toReportDto(r),
              reporter: r.reporterHandle,
              resolution: (r.resolution as ModerationAction | null) ?? null,
              resolvedAt: iso(r.resolvedAt),
            })),
        };
      }),
      nextCursor: last ? `${last.firstAt}.${last.targetType}.${last.targetId}` : null,
    };
  }

  private async context(userId: string, target: Target, reportId: string | null, note: string) {
    await requireStaff(this.services.db, userId);
    const actor = await new UsersRepo(this.services.db).find(userId);
    if (!actor) throw notFound("page");
    const ctx: ActionContext = {
      services: this.services,
      actor: { id: actor.id, handle: actor.handle },
      target,
      reportId,
      note,
      now: this.now(),
    };
    return ctx;
  }

  /** Applies `action` to the report's target and closes every open report on that target. */
  async resolve(userId: string, reportId: string, body: ResolveReportBody) {
    await requireStaff(this.services.db, userId);
    const report = await this.repo.findReport(reportId);
    if (!report) throw notFound("report");
    if (report.status !== "open")
      throw new AppError(409, "already_resolved", "this report is already resolved");
    const ctx = await this.context(userId, report, report.id, body.note);
    const resolved = await ACTIONS[body.action](ctx);
    return { resolved, action: body.action };
  }

  async restoreVideo(userId: string, videoId: string, note: string): Promise<boolean> {
    return restoreVideo(await this.context(userId, { targetType: "video", targetId: videoId }, null, note));
  }

  async unsuspend(userId: string, handle: string, note: string): Promise<boolean> {
    const user = await new UsersRepo(this.services.db).findByHandle(handle);
    if (!user) {
      await requireStaff(this.services.db, userId);
      throw notFound("user");
    }
    const target = { targetType: "channel" as const, targetId: user.id };
    return unsuspendUser(await this.context(userId, target, null, note));
  }

  async audit(userId: string, cursor?: string): Promise<AuditResponse> {
    await requireStaff(this.services.db, userId);
    const after = cursor ? { at: Number(cursor.split(".")[0]), id: cursor.split(".")[1]! } : undefined;
    const rows = await this.repo.audit(AUDIT_PAGE_SIZE, after);
    const last = rows.length === AUDIT_PAGE_SIZE ? rows.at(-1) : undefined;
    return {
      entries: rows.map((r) => ({
        id: r.id,
        actor: r.actorHandle,
        action: r.action,
        targetType: r.targetType,
        targetId: r.targetId,
        reportId: r.reportId,
        note: r.note,
        snapshot: r.snapshot,
        createdAt: iso(r.createdAt)!,
      })),
      nextCursor: last ? `${last.createdAt}.${last.id}` : null,
    };
  }
}
