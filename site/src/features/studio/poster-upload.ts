/**
 * Custom posters: check the image before sending it (`PUT /api/videos/:id/poster`, 202), then
 * wait for the transcoder to resize it — the video's `thumbnailUrl` points at a new file once
 * it has. Delivery URLs carry a fresh token on every read, so "new" means a different file
 * under the token, not a different string.
 */
import type { VideoDto } from "../../lib/api.ts";
import { withToken } from "../../lib/delivery-token.ts";

export const MAX_POSTER_BYTES = 10 * 1024 * 1024;
export const POSTER_ACCEPT = "image/jpeg,image/png,image/webp";

export type PosterType = "image/jpeg" | "image/png" | "image/webp";
const BY_EXTENSION: Record<string, PosterType> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
};

export type PosterCheck = { ok: true; contentType: PosterType } | { ok: false; error: string };

export function checkPosterFile(file: { name: string; type: string; size: number }): PosterCheck {
  const fromType = Object.values(BY_EXTENSION).find((t) => t === file.type);
  const contentType = fromType ?? BY_EXTENSION[file.name.toLowerCase().split(".").pop() ?? ""];
  if (!contentType) return { ok: false, error: "Choose a JPEG, PNG or WebP image." };
  if (file.size === 0) return { ok: false, error: "That image is empty." };
  if (file.size > MAX_POSTER_BYTES) return { ok: false, error: "Posters can be at most 10 MiB." };
  return { ok: true, contentType };
}

/** The stored file a delivery URL names, whatever its token; null for none. */
export function posterFile(url: string | null | undefined): string | null {
  if (!url) return null;
  return withToken(url, "-", "http://localhost");
}

export class PosterTimeoutError extends Error {
  override readonly name = "PosterTimeoutError";
}

export interface PosterWaitOptions {
  getVideo: (signal?: AbortSignal) => Promise<VideoDto>;
  /** `thumbnailUrl` before the upload. */
  previous: string | null;
  intervalMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * Polls the video every 2 s for up to a minute until its poster is a different file; resolves
 * with that copy of the video. A failed read is retried on the next tick (it's only a poll).
 */
export async function waitForNewPoster(options: PosterWaitOptions): Promise<VideoDto> {
  const { getVideo, intervalMs = 2_000, timeoutMs = 60_000, signal } = options;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const before = posterFile(options.previous);
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    await sleep(intervalMs, signal);
    signal?.throwIfAborted();
    try {
      const video = await getVideo(signal);
      const file = posterFile(video.thumbnailUrl);
      if (file && file !== before) return video;
    } catch (err) {
      if (signal?.aborted) throw err;
    }
  }
  throw new PosterTimeoutError("The new poster is taking longer than expected. Reload the page in a minute.");
}
