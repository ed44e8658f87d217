/**
 * Static MP4 downloads (ADR 0027): `GET /api/videos/:id/download?rung=` answers 302 to a
 * signed MP4 of one rung, remuxed by the fleet from the rung's fMP4 segments (no
 * re-encode), or 202 "preparing" while the fleet makes it. The owner turns downloads on or
 * off per video (`PATCH /api/videos/:id { download: { enabled } }`); unset follows the
 * deployment's `MP4_DOWNLOADS` default.
 */
import { z } from "zod";

/** A video's download setting as the owner sees it (`VideoDto.download`). */
export const DownloadSettings = z.object({
  /** Whether viewers may download this video (the owner always may). */
  enabled: z.boolean(),
});
export type DownloadSettings = z.infer<typeof DownloadSettings>;

export const DownloadQuery = z.object({
  /** A video rung's name (`720p`); absent: the highest rung. */
  rung: z
    .string()
    .regex(/^[a-z0-9_-]{1,20}$/, "not a rung name")
    .optional(),
});
export type DownloadQuery = z.infer<typeof DownloadQuery>;

/** 202: the MP4 is being made; ask again after `retryAfterSec` (also in `Retry-After`). */
export const DownloadPreparing = z.object({
  status: z.literal("preparing"),
  rung: z.string(),
  retryAfterSec: z.number().int().positive(),
});
export type DownloadPreparing = z.infer<typeof DownloadPreparing>;

/** Where a rung's MP4 lives under the video's prefix (delivered from `download/{rung}.mp4`). */
export function downloadKey(videoId: string, rung: string): string {
  return `videos/${videoId}/download/${rung}.mp4`;
}
