import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatEta, formatPercent, formatRelativeTime } from "./format.ts";
import { summarizeStatus } from "./video-status.ts";

describe("format", () => {
  it("formats sizes, clocks, estimates and percentages", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1_500_000)).toBe("1.5 MB");
    expect(formatBytes(250_000_000)).toBe("250 MB");
    expect(formatDuration(65)).toBe("1:05");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(null)).toBe("");
    expect(formatEta(90)).toBe("2 min left");
    expect(formatEta(null)).toBe("");
    expect(formatPercent(0.999)).toBe("99%");
    expect(formatPercent(1.2)).toBe("100%");
  });

  it("says how long ago", () => {
    const now = Date.parse("2026-11-23T12:00:00Z");
    expect(formatRelativeTime("2026-11-23T11:59:30Z", now)).toBe("just now");
    expect(formatRelativeTime("2026-11-23T09:00:00Z", now)).toBe("3 hours ago");
    expect(formatRelativeTime("2026-11-22T12:00:00Z", now)).toBe("yesterday");
  });
});

describe("summarizeStatus", () => {
  it("describes transcode progress", () => {
    const summary = summarizeStatus({
      status: "processing",
      progress: { stage: "encode", percent: 42.5, speed: 2.04, rendition: "720p", etaSec: 30, updatedAt: "" },
    });
    expect(summary).toEqual({
      headline: "Transcoding",
      detail: "720p · 2.0× speed · 30 s left",
      percent: 42.5,
    });
  });

  it("uses the failure reason", () => {
    expect(summarizeStatus({ status: "failed", failureReason: "not a video" }).detail).toBe("not a video");
    const owner = {
      status: "failed" as const,
      failureReason: "The video took too long to process.",
      failure: {
        code: "timed_out" as const,
        message: "The video took too long to process.",
        detail: "stalled for 120 s",
      },
    };
    expect(summarizeStatus(owner).detail).toBe("stalled for 120 s");
  });
});
