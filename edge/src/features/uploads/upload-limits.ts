/**
 * Per-user upload limits (issue 11, hole 2): a storage quota over the declared sizes of
 * everything the user still holds, and a cap on concurrent unfinished uploads; and (issue
 * 15, ADR 0024) accounts younger than NEW_ACCOUNT_HOURS may start at most
 * NEW_ACCOUNT_DAILY_UPLOADS uploads a day — a cheap brake on throwaway spam accounts.
 * Pure: the service reads the usage and asks here.
 */
import type { Config } from "../../config.ts";
import { AppError } from "../../lib/errors.ts";
import { NEW_ACCOUNT_WINDOW_MS, type UploadUsage } from "./uploads.repo.ts";

export type UploadLimits = Pick<Config, "USER_STORAGE_QUOTA_BYTES" | "MAX_UNFINISHED_UPLOADS"> &
  Partial<Pick<Config, "NEW_ACCOUNT_HOURS" | "NEW_ACCOUNT_DAILY_UPLOADS">>;

/** 429 for a new account over its daily uploads, with when the next one is allowed. */
export function newAccountLimitError(usage: UploadUsage, limits: UploadLimits, now: number): AppError | null {
  const hours = limits.NEW_ACCOUNT_HOURS ?? 0;
  const perDay = limits.NEW_ACCOUNT_DAILY_UPLOADS ?? 0;
  if (hours === 0 || perDay === 0 || usage.accountCreatedAt === null) return null;
  const grownUpAt = usage.accountCreatedAt + hours * 3600_000;
  if (now >= grownUpAt || usage.recentUploads < perDay) return null;
  const freedAt = (usage.oldestRecentAt ?? now) + NEW_ACCOUNT_WINDOW_MS;
  const seconds = Math.max(1, Math.ceil((Math.min(grownUpAt, freedAt) - now) / 1000));
  return new AppError(
    429,
    "new_account_upload_limit",
    `new accounts may start ${perDay} uploads a day for their first ${hours} hours; try again in ${Math.ceil(seconds / 60)} minutes`,
    { headers: { "retry-after": String(seconds) } },
  );
}

/** The error a new upload of `size` bytes meets on top of `usage` (not counting itself), if any. */
export function uploadLimitError(
  usage: UploadUsage,
  size: number,
  limits: UploadLimits,
  now = Date.now(),
): AppError | null {
  const young = newAccountLimitError(usage, limits, now);
  if (young) return young;
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
  return {
    ...usage,
    storedBytes: usage.storedBytes - size,
    unfinished: usage.unfinished - 1,
    recentUploads: usage.recentUploads - 1,
  };
}
