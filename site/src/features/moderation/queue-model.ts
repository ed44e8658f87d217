/**
 * What the moderators' queue offers for each reported target (pure, unit-tested): the
 * actions that fit its type and state, and how reports and audit rows read.
 */
import type { ModerationAction, ReportGroupDto, ReportReason } from "@streamline/contracts";
import { REPORT_REASON_LABELS } from "@streamline/contracts";

export interface ActionButton {
  action: ModerationAction | "restore_video" | "restore_user";
  label: string;
  danger: boolean;
  /** The note is the reason the owner sees: required. */
  needsNote: boolean;
}

const DISMISS: ActionButton = { action: "dismiss", label: "Dismiss", danger: false, needsNote: false };
const TAKE_DOWN: ActionButton = {
  action: "take_down",
  label: "Take down video",
  danger: true,
  needsNote: true,
};
const REMOVE: ActionButton = {
  action: "remove_comment",
  label: "Remove comment",
  danger: true,
  needsNote: false,
};
const SUSPEND: ActionButton = {
  action: "suspend_user",
  label: "Suspend user",
  danger: true,
  needsNote: true,
};
const RESTORE_VIDEO: ActionButton = {
  action: "restore_video",
  label: "Restore video",
  danger: false,
  needsNote: true,
};
const RESTORE_USER: ActionButton = {
  action: "restore_user",
  label: "Lift suspension",
  danger: false,
  needsNote: true,
};

export function actionsFor(group: ReportGroupDto): ActionButton[] {
  const open = group.reports.some((r) => r.status === "open");
  const out: ActionButton[] = [];
  if (open) {
    out.push(DISMISS);
    if (group.targetType === "video" && !group.content.gone && !group.content.takenDown) out.push(TAKE_DOWN);
    if (group.targetType === "comment" && !group.content.gone) out.push(REMOVE);
    if (group.owner && !group.owner.suspended) out.push(SUSPEND);
  }
  if (group.targetType === "video" && group.content.takenDown) out.push(RESTORE_VIDEO);
  if (group.owner?.suspended) out.push(RESTORE_USER);
  return out;
}

export const reasonLabel = (reason: ReportReason): string => REPORT_REASON_LABELS[reason] ?? reason;

const ACTION_WORDS: Record<string, string> = {
  dismiss: "Dismissed",
  take_down: "Took down",
  remove_comment: "Removed comment",
  suspend_user: "Suspended",
  restore_video: "Restored video",
  unsuspend_user: "Lifted suspension",
};

export const actionLabel = (action: string): string => ACTION_WORDS[action] ?? action;

/** "2 reports · first 5 min ago" style summary. */
export function groupSummary(group: ReportGroupDto): string {
  const n = group.reports.length;
  return `${n} ${n === 1 ? "report" : "reports"} · first ${new Date(group.firstReportedAt).toLocaleString("en")}`;
}
