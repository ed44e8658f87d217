/** The new-account upload limit (issue 15, ADR 0024): pure, so tested on plain usage figures. */
import { describe, expect, it } from "vitest";
import { newAccountLimitError, uploadLimitError } from "./upload-limits.ts";
import type { UploadUsage } from "./uploads.repo.ts";

const HOUR = 3600_000;
const NOW = Date.UTC(2026, 11, 7, 12);
const limits = {
  USER_STORAGE_QUOTA_BYTES: 10 ** 12,
  MAX_UNFINISHED_UPLOADS: 5,
  NEW_ACCOUNT_HOURS: 24,
  NEW_ACCOUNT_DAILY_UPLOADS: 3,
};
const usage = (patch: Partial<UploadUsage>): UploadUsage => ({
  storedBytes: 0,
  unfinished: 0,
  recentUploads: 0,
  oldestRecentAt: null,
  accountCreatedAt: NOW - HOUR,
  ...patch,
});

describe("new-account upload limit", () => {
  it("lets a new account start NEW_ACCOUNT_DAILY_UPLOADS uploads, then answers 429 with Retry-After", () => {
    expect(
      uploadLimitError(usage({ recentUploads: 2, oldestRecentAt: NOW - 10 * 60_000 }), 1, limits, NOW),
    ).toBeNull();
    const err = uploadLimitError(
      usage({ recentUploads: 3, oldestRecentAt: NOW - 10 * 60_000 }),
      1,
      limits,
      NOW,
    );
    expect(err?.status).toBe(429);
    expect(err?.code).toBe("new_account_upload_limit");
    expect(err?.message).toMatch(/new accounts may start 3 uploads a day for their first 24 hours/);
    // The account grows up in 23 h, the oldest upload leaves the window in 23 h 50 min: the earlier wins.
    expect(err?.headers?.["retry-after"]).toBe(String(23 * 3600));
  });

  it("does not apply once the account is older than NEW_ACCOUNT_HOURS, or when turned off (0)", () => {
    const busy = usage({ recentUploads: 9, oldestRecentAt: NOW - HOUR, accountCreatedAt: NOW - 25 * HOUR });
    expect(newAccountLimitError(busy, limits, NOW)).toBeNull();
    const young = usage({ recentUploads: 9, oldestRecentAt: NOW - HOUR });
    expect(newAccountLimitError(young, { ...limits, NEW_ACCOUNT_DAILY_UPLOADS: 0 }, NOW)).toBeNull();
    expect(newAccountLimitError(young, { ...limits, NEW_ACCOUNT_HOURS: 0 }, NOW)).toBeNull();
  });
});
