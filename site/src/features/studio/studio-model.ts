/**
 * The studio's view of a creator's videos, as pure functions: paging through
 * `GET /api/me/videos`, what a row says about status (with live progress), and turning the
 * details form and the API's validation issues into a PATCH and per-field messages.
 */
import type { UpdateVideoRequest, ValidationIssue, VideoDto } from "../../lib/api.ts";
import { formatPercent } from "../../lib/format.ts";
import type { LiveState } from "../../lib/live-progress.ts";
import { summarizeStatus } from "../../lib/video-status.ts";

export const STUDIO_PAGE_SIZE = 20;

export type Visibility = VideoDto["visibility"];

export const VISIBILITY: Record<Visibility, { label: string; hint: string }> = {
  public: { label: "Public", hint: "Listed on Browse; anyone can watch." },
  unlisted: { label: "Unlisted", hint: "Not listed; anyone with the link can watch." },
  private: { label: "Private", hint: "Only you can watch." },
};

/** Appends a page, dropping videos already shown (a video created between two pages must not appear twice). */
export function appendPage(shown: readonly VideoDto[], page: readonly VideoDto[]): VideoDto[] {
  const seen = new Set(shown.map((v) => v.id));
  return [...shown, ...page.filter((v) => !seen.has(v.id))];
}

export const IN_FLIGHT = new Set<VideoDto["status"]>(["uploading", "queued", "processing"]);

export type StatusTone = "ok" | "busy" | "danger" | "muted";

export interface StatusView {
  label: string;
  tone: StatusTone;
  /** 0–100 for a bar, null for an indeterminate one, undefined for none. */
  percent?: number | null;
  /** A second line: what is happening, or why it failed. */
  detail: string;
}

/** A row's status, from the video and (while it is in flight) its live feed. */
export function statusView(video: VideoDto, live?: Pick<LiveState, "upload" | "job">): StatusView {
  switch (video.status) {
    case "ready":
      return { label: "Ready", tone: "ok", detail: "" };
    case "failed":
      return {
        label: "Failed",
        tone: "danger",
        detail: video.failure?.detail ?? video.failureReason ?? "The video could not be processed.",
      };
    case "uploading": {
      const upload = live?.upload;
      if (!upload || upload.size <= 0) return { label: "Uploading", tone: "busy", percent: null, detail: "" };
      const fraction = upload.uploadedBytes / upload.size;
      return {
        label: `Uploading ${formatPercent(fraction)}`,
        tone: "busy",
        percent: Math.min(100, fraction * 100),
        detail: `${upload.partsDone} of ${upload.partCount} parts`,
      };
    }
    case "queued":
      return { label: "Queued", tone: "busy", percent: null, detail: "Processing starts in a moment." };
    case "processing": {
      const progress = live?.job
        ? { ...live.job, updatedAt: "" }
        : video.progress
          ? video.progress
          : undefined;
      const summary = summarizeStatus({ status: "processing", ...(progress ? { progress } : {}) });
      const percent = summary.percent;
      const label = percent === null ? "Processing" : `Processing ${Math.floor(percent)}%`;
      const detail = [video.playable ? "Streaming already" : "", summary.headline, summary.detail]
        .filter((s) => s && s !== "Processing")
        .join(" · ");
      return { label, tone: "busy", percent, detail };
    }
  }
}

export interface DetailsForm {
  title: string;
  description: string;
  visibility: Visibility;
}

/** Only the fields that changed; null = nothing to save. */
export function detailsPatch(video: DetailsForm, form: DetailsForm): UpdateVideoRequest | null {
  const patch: UpdateVideoRequest = {};
  // The API trims titles: compare trimmed, but send what was typed so its validation speaks.
  if (form.title.trim() !== video.title) patch.title = form.title;
  if (form.description !== video.description) patch.description = form.description;
  if (form.visibility !== video.visibility) patch.visibility = form.visibility;
  return Object.keys(patch).length ? patch : null;
}

const FRIENDLY: Record<string, Partial<Record<string, string>>> = {
  title: { too_small: "Give the video a title.", too_big: "Titles can be at most 200 characters." },
  description: { too_big: "Descriptions can be at most 5,000 characters." },
  visibility: { invalid_value: "Choose public, unlisted or private." },
};

/**
 * The API's `validation_failed` issues as one message per form field (first issue wins);
 * issues for fields the form doesn't have come back under `""` for a form-level message.
 */
export function fieldErrors(issues: readonly unknown[] | undefined, fields: readonly string[]) {
  const errors: Record<string, string> = {};
  for (const raw of issues ?? []) {
    const issue = raw as ValidationIssue;
    if (!issue || typeof issue.message !== "string") continue;
    const field = typeof issue.path === "string" && fields.includes(issue.path) ? issue.path : "";
    if (errors[field]) continue;
    errors[field] = (issue.code && FRIENDLY[field]?.[issue.code]) || issue.message;
  }
  return errors;
}
