/** Turns a video's status and transcode progress into the words and numbers the UI shows. */
import type { VideoDto } from "./api.ts";
import { formatEta } from "./format.ts";

export interface StatusSummary {
  headline: string;
  /** Secondary line: rendition, encoder speed, time left. */
  detail: string;
  /** 0–100, or null when there is no measurable progress (indeterminate bar). */
  percent: number | null;
}

const STAGE_LABELS: Record<string, string> = {
  download: "Fetching the upload",
  probe: "Analyzing video",
  encode: "Transcoding",
  upload: "Publishing renditions",
  thumbnails: "Creating thumbnails",
};

/** "encode" → "Transcoding"; unknown stages are made readable rather than hidden. */
export function stageLabel(stage: string): string {
  return (
    STAGE_LABELS[stage.toLowerCase()] ??
    stage.charAt(0).toUpperCase() + stage.slice(1).replaceAll(/[_-]/g, " ")
  );
}

/** Progress is 0–100 over the whole job (contracts/events.ts); clamp anything odd. */
function clampPercent(percent: number): number {
  return Number.isFinite(percent) ? Math.min(100, Math.max(0, percent)) : 0;
}

export function summarizeStatus(
  video: Pick<VideoDto, "status" | "progress" | "failureReason"> & Partial<Pick<VideoDto, "failure">>,
): StatusSummary {
  switch (video.status) {
    case "uploading":
      return { headline: "Waiting for the upload to finish", detail: "", percent: null };
    case "queued":
      return { headline: "Queued for processing", detail: "It will start in a moment.", percent: null };
    case "failed":
      return {
        headline: "Processing failed",
        detail: video.failure?.detail ?? video.failureReason ?? "The video could not be processed.",
        percent: null,
      };
    case "ready":
      return { headline: "Ready", detail: "", percent: 100 };
    case "processing": {
      const progress = video.progress;
      if (!progress) return { headline: "Processing", detail: "", percent: null };
      const detail = [
        progress.rendition,
        progress.speed ? `${progress.speed.toFixed(1)}× speed` : "",
        progress.fps ? `${Math.round(progress.fps)} fps` : "",
        formatEta(progress.etaSec),
      ]
        .filter(Boolean)
        .join(" · ");
      return { headline: stageLabel(progress.stage), detail, percent: clampPercent(progress.percent) };
    }
  }
}
