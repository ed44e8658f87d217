/**
 * Per-user upload limits (issue 11, hole 2): a storage quota over the declared sizes of
 * everything the user still holds, and a cap on concurrent unfinished uploads. Pure: the
 * service reads the usage and asks here.
 */
import type { Config } from "../../config.ts";
import { AppError } from "../../lib/errors.ts";
import type { UploadUsage } from "./uploads.repo.ts";

export type UploadLimits = Pick<Config, "USER_STORAGE_QUOTA_BYTES" | "MAX_UNFINISHED_UPLOADS">;

/** The error a new upload of `size` bytes meets on top of `usage` (not counting itself), if any. */
export function uploadLimitError(usage: UploadUsage, size: number, limits: UploadLimits): AppError | null {
  if (usage.unfinished >= limits.MAX_UNFINISHED_UPLOADS) {
    return new AppError(
      409,
      "too_many_unfinished_uploads",
      `you have ${usage.unfinished} unfinished uploads (the limit is ${limits.MAX_UNFINISHED_UPLOADS}); complete or abort one first`,
      { issues: [{ path: "uploads", unfinished: usage.unfinished, limit: limits.MAX_UNFINISHED_UPLOADS }] },
    );
  }
  const quota = limits.USER_STORAGE_QUOTA_BYTES;
  if (usage.storedBytes + size > quota) {
    return new AppError(
      413,
      "quota_exceeded",
      `this upload needs ${size} bytes; you use ${usage.storedBytes} of your ${quota}-byte quota`,
      {
        issues: [{ path: "size", requestedBytes: size, usedBytes: usage.storedBytes, limitBytes: quota }],
      },
    );
  }
  return null;
}

/** Usage without one upload of `size` bytes that is already counted in it (the re-check after insert). */
export function withoutOne(usage: UploadUsage, size: number): UploadUsage {
  return { storedBytes: usage.storedBytes - size, unfinished: usage.unfinished - 1 };
}
