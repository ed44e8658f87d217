/**
 * Channel avatar and banner uploads from the editor: check the file before sending it, send
 * it with XHR (for upload progress; `fetch` has none) to `PUT /api/me/channel/:kind`, then
 * wait while the fleet renders the sizes — `GET /api/me/channel` says `pending` until the
 * new URLs are in place, or gives the `failure`.
 */
import { ApiError, type ChannelImageKind, type MyChannelResponse } from "../../lib/api.ts";

export const MAX_CHANNEL_IMAGE_BYTES = 10 * 1024 * 1024;
export const CHANNEL_IMAGE_ACCEPT = "image/jpeg,image/png,image/webp";
const TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
};

export type ImageCheck = { ok: true; contentType: string } | { ok: false; error: string };

export function checkChannelImage(file: { name: string; type: string; size: number }): ImageCheck {
  const byType = Object.values(TYPES).includes(file.type) ? file.type : undefined;
  const contentType = byType ?? TYPES[file.name.toLowerCase().split(".").pop() ?? ""];
  if (!contentType) return { ok: false, error: "Choose a JPEG, PNG or WebP image." };
  if (file.size === 0) return { ok: false, error: "That image is empty." };
  if (file.size > MAX_CHANNEL_IMAGE_BYTES) return { ok: false, error: "Images can be at most 10 MiB." };
  return { ok: true, contentType };
}

/** What the editor tells the owner when the edge refused the file. */
export function uploadErrorMessage(err: unknown): string {
  if (err instanceof ApiError && err.status === 413) return "Images can be at most 10 MiB.";
  if (err instanceof ApiError && err.status === 415) return "That isn't a JPEG, PNG or WebP image.";
  if (err instanceof ApiError && err.status === 429)
    return "Too many uploads in a minute. Wait a moment and try again.";
  return err instanceof Error ? `Upload failed: ${err.message}` : "Upload failed.";
}

export interface XhrUpload {
  path: string;
  body: Blob;
  contentType: string;
  token: string | null;
  onProgress: (fraction: number) => void;
}

/** PUTs the body; resolves on 2xx, rejects with an ApiError carrying the edge's error code. */
export function putWithProgress({ path, body, contentType, token, onProgress }: XhrUpload): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", path);
    xhr.setRequestHeader("content-type", contentType);
    if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      let error: { code?: string; message?: string } = {};
      try {
        error = (JSON.parse(xhr.responseText) as { error?: typeof error }).error ?? {};
      } catch {
        // not JSON: the status says enough
      }
      reject(
        new ApiError(xhr.status, error.code ?? `http_${xhr.status}`, error.message ?? `HTTP ${xhr.status}`),
      );
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "network_error", "Can't reach Streamline.")));
    xhr.send(body);
  });
}

export class ImageTimeoutError extends Error {
  override readonly name = "ImageTimeoutError";
}

/** Polls until the fleet has rendered (or refused) the image of `kind`; resolves with the channel then. */
export async function waitForRendered(
  kind: ChannelImageKind,
  read: () => Promise<MyChannelResponse>,
  {
    intervalMs = 1_000,
    timeoutMs = 90_000,
    sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
  } = {},
): Promise<MyChannelResponse> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await sleep(intervalMs);
    try {
      const mine = await read();
      if (!mine[kind].pending) return mine;
    } catch {
      // a failed read is only a missed poll
    }
  }
  throw new ImageTimeoutError("The new image is taking longer than expected. Reload the page in a minute.");
}
