/**
 * Moderation (issue 15, ADR 0024): reports from viewers, the moderators' queue grouped by
 * target, the actions that resolve a report, restoring, and the append-only audit log.
 */
import { z } from "zod";

export const REPORT_DETAILS_MAX = 1000;
export const MODERATION_NOTE_MAX = 1000;
export const ADMIN_REPORTS_PAGE_SIZE = 20;
export const AUDIT_PAGE_SIZE = 50;

export const ReportTargetType = z.enum(["video", "comment", "channel"]);
export type ReportTargetType = z.infer<typeof ReportTargetType>;

/** The fixed list a reporter picks from (the site shows these as radio buttons). */
export const REPORT_REASONS = [
  "spam",
  "harassment",
  "hate",
  "violence",
  "sexual",
  "misinformation",
  "copyright",
  "other",
] as const;
export const ReportReason = z.enum(REPORT_REASONS);
export type ReportReason = z.infer<typeof ReportReason>;

/** What the site says for each reason. */
export const REPORT_REASON_LABELS: Record<ReportReason, string> = {
  spam: "Spam or misleading",
  harassment: "Harassment or bullying",
  hate: "Hateful or abusive",
  violence: "Violent or dangerous",
  sexual: "Sexual content",
  misinformation: "Misinformation",
  copyright: "Infringes my rights",
  other: "Something else",
};

/**
 * `POST /api/reports`. `targetId` is a video id (`v_…`), a comment id (`c_…`) or a
 * channel's handle. Details are optional plain text, at most 1,000 characters.
 */
export const CreateReportBody = z.object({
  targetType: ReportTargetType,
  targetId: z.string().trim().min(1).max(64),
  reason: ReportReason,
  details: z
    .string()
    .transform((s) => s.replace(/\r\n?/g, "\n").trim())
    .pipe(z.string().max(REPORT_DETAILS_MAX, `details must be at most ${REPORT_DETAILS_MAX} characters`))
    .optional(),
});
export type CreateReportBody = z.infer<typeof CreateReportBody>;

export const ReportStatus = z.enum(["open", "resolved"]);
export type ReportStatus = z.infer<typeof ReportStatus>;

/** What a moderator does with a report (and every open report on the same target). */
export const ModerationAction = z.enum(["dismiss", "take_down", "remove_comment", "suspend_user"]);
export type ModerationAction = z.infer<typeof ModerationAction>;

export const ReportDto = z.object({
  id: z.string(),
  targetType: ReportTargetType,
  targetId: z.string(),
  reason: ReportReason,
  details: z.string().nullable(),
  status: ReportStatus,
  createdAt: z.string(),
});
export type ReportDto = z.infer<typeof ReportDto>;

export const CreateReportResponse = z.object({ report: ReportDto });

/** A report as moderators see it: who sent it and how it ended. */
export const QueueReportDto = ReportDto.extend({
  reporter: z.string().nullable(),
  resolution: ModerationAction.nullable(),
  resolvedAt: z.string().nullable(),
});
export type QueueReportDto = z.infer<typeof QueueReportDto>;

/** The reported thing as it is now (or `gone: true` when it no longer exists). */
export const ReportedContent = z.object({
  gone: z.boolean(),
  /** A video's title, a channel's display name, or the video a comment is on. */
  title: z.string().nullable(),
  /** A video's description, a comment's text, a channel's description (≤ 500 characters). */
  body: z.string().nullable(),
  /** Where the site shows it (`/watch/v_…`, `/c/handle`). */
  link: z.string().nullable(),
  takenDown: z.object({ at: z.string(), reason: z.string() }).nullable(),
});
export type ReportedContent = z.infer<typeof ReportedContent>;

export const ContentOwner = z.object({
  id: z.string(),
  handle: z.string(),
  suspended: z.object({ at: z.string(), reason: z.string() }).nullable(),
});

export const ReportGroupDto = z.object({
  targetType: ReportTargetType,
  targetId: z.string(),
  content: ReportedContent,
  owner: ContentOwner.nullable(),
  firstReportedAt: z.string(),
  reports: z.array(QueueReportDto),
});
export type ReportGroupDto = z.infer<typeof ReportGroupDto>;

export const ADMIN_REPORTS_CURSOR = /^\d{1,15}\.(video|comment|channel)\.[A-Za-z0-9_-]{1,64}$/;

export const AdminReportsQuery = z.object({
  status: ReportStatus.default("open"),
  cursor: z.string().regex(ADMIN_REPORTS_CURSOR, "not a cursor from nextCursor").optional(),
});
export type AdminReportsQuery = z.infer<typeof AdminReportsQuery>;

export const AdminReportsResponse = z.object({
  groups: z.array(ReportGroupDto),
  nextCursor: z.string().nullable(),
});
export type AdminReportsResponse = z.infer<typeof AdminReportsResponse>;

const Note = z
  .string()
  .trim()
  .max(MODERATION_NOTE_MAX, `the note must be at most ${MODERATION_NOTE_MAX} characters`);

/** Taking down and suspending need a note: it is the reason the owner is shown. */
export const ResolveReportBody = z
  .object({ action: ModerationAction, note: Note.default("") })
  .refine((b) => b.action === "dismiss" || b.action === "remove_comment" || b.note.length > 0, {
    message: "say why: the note is the reason the owner is shown",
    path: ["note"],
  });
export type ResolveReportBody = z.infer<typeof ResolveReportBody>;

export const ResolveReportResponse = z.object({
  /** How many open reports on the target this closed. */
  resolved: z.number().int().nonnegative(),
  action: ModerationAction,
});

/** `POST /api/admin/videos/:id/restore`, `POST /api/admin/users/:handle/restore`. */
export const RestoreBody = z.object({ note: Note.min(1, "say why") });
export type RestoreBody = z.infer<typeof RestoreBody>;
export const RestoreResponse = z.object({ restored: z.boolean() });

export const AuditEntryDto = z.object({
  id: z.string(),
  actor: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string(),
  reportId: z.string().nullable(),
  note: z.string(),
  snapshot: z.string().nullable(),
  createdAt: z.string(),
});
export type AuditEntryDto = z.infer<typeof AuditEntryDto>;

export const AUDIT_CURSOR = /^\d{1,15}\.al_[A-Za-z0-9]{16}$/;
export const AuditQuery = z.object({
  cursor: z.string().regex(AUDIT_CURSOR, "not a cursor from nextCursor").optional(),
});
export const AuditResponse = z.object({ entries: z.array(AuditEntryDto), nextCursor: z.string().nullable() });
export type AuditResponse = z.infer<typeof AuditResponse>;

export const Role = z.enum(["admin", "moderator"]);
export type Role = z.infer<typeof Role>;

/** The owner's view of a takedown (VideoDto.takenDown). */
export const Takedown = z.object({ at: z.string(), reason: z.string() });
