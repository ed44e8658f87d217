import { describe, expect, it } from "vitest";
import { progressPercent, progressText } from "./history-item.ts";

describe("history rows", () => {
  it("show how far you got; a finished video (resume point 0) is full; no duration, no bar", () => {
    expect(progressPercent({ positionSec: 252, durationSec: 600 })).toBe(42);
    expect(progressPercent({ positionSec: 0, durationSec: 600 })).toBe(100);
    expect(progressPercent({ positionSec: 700, durationSec: 600 })).toBe(100);
    expect(progressPercent({ positionSec: 30, durationSec: null })).toBe(0);
  });

  it("say where you stopped, or that you watched it", () => {
    const watchedAt = new Date(Date.now() - 2 * 3600_000).toISOString();
    expect(progressText({ positionSec: 252, durationSec: 600, watchedAt })).toMatch(
      /^Stopped at 4:12 of 10:00 · 2 hours ago$/,
    );
    expect(progressText({ positionSec: 0, durationSec: 600, watchedAt })).toMatch(/^Watched · 2 hours ago$/);
    expect(progressText({ positionSec: 61, durationSec: null, watchedAt: "nope" })).toBe("Stopped at 1:01");
  });
});
