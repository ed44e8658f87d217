/**
 * Events of a `download` job (ADR 0027): only its result matters. `download` marks the
 * rung ready with its key and size; `failed` marks it failed (the next request after the
 * retry window claims it anew). Other events of the attempt change nothing.
 */
import type { TranscoderEvent } from "@streamline/contracts";
import { log } from "../../lib/log.ts";
import type { VideosRepo } from "../videos/videos.repo.ts";

export async function applyDownloadEvent(
  repo: Pick<VideosRepo, "settleDownload">,
  videoId: string,
  rung: string,
  ev: TranscoderEvent,
  now = Date.now(),
): Promise<"applied" | "duplicate"> {
  const base = { attemptId: ev.attemptId, at: now };
  if (ev.type === "download" && ev.rung === rung && ev.key.startsWith(`videos/${videoId}/download/`)) {
    const entry = { ...base, status: "ready" as const, key: ev.key, sizeBytes: ev.sizeBytes };
    return (await repo.settleDownload(videoId, rung, entry)) ? "applied" : "duplicate";
  }
  if (ev.type === "failed") {
    log.warn("download job failed", { videoId, rung, reason: ev.reason });
    const entry = { ...base, status: "failed" as const, reason: ev.reason.slice(0, 300) };
    return (await repo.settleDownload(videoId, rung, entry)) ? "applied" : "duplicate";
  }
  return "duplicate";
}
