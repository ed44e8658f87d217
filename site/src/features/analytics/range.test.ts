import { describe, expect, it } from "vitest";
import { customRange, presetRange, rangeDays } from "./range.ts";

describe("analytics ranges", () => {
  const now = Date.parse("2026-12-07T15:00:00Z");
  it("ends presets today (UTC), today included", () => {
    expect(presetRange(7, now)).toEqual({ from: "2026-12-01", to: "2026-12-07" });
    expect(presetRange(28, now)).toEqual({ from: "2026-11-10", to: "2026-12-07" });
    expect(rangeDays(presetRange(90, now))).toBe(90);
  });

  it("checks a custom range: both days, in order, at most 365 days", () => {
    expect(customRange("2026-01-01", "2026-12-31")).toEqual({ from: "2026-01-01", to: "2026-12-31" });
    expect(customRange("2025-12-31", "2026-12-31")).toBe("A report covers at most 365 days.");
    expect(customRange("2026-02-01", "2026-01-01")).toBe("The start date is after the end date.");
    expect(customRange("", "2026-01-01")).toBe("Pick both a start and an end date.");
  });
});
