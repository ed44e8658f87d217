import { describe, expect, it } from "vitest";
import { mergeReports } from "./test.ts";

const report = (passed: number, failed: number, startTime: number) => ({
  numTotalTests: passed + failed,
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: 0,
  numTodoTests: 0,
  startTime,
  success: failed === 0,
  testResults: [{ name: `lane-${startTime}` }],
});

describe("npm test's lane reports", () => {
  it("sums the counts, keeps every file's result and the earliest start", () => {
    const merged = mergeReports([report(10, 0, 200), report(5, 2, 100)]);
    expect(merged).toMatchObject({
      numPassedTests: 15,
      numFailedTests: 2,
      numTotalTests: 17,
      startTime: 100,
    });
    expect(merged.success).toBe(false);
    expect(merged.testResults).toEqual([{ name: "lane-200" }, { name: "lane-100" }]);
  });

  it("counts a lane that left no report as a failure", () => {
    const merged = mergeReports([report(3, 0, 1), null]);
    expect(merged).toMatchObject({ numPassedTests: 3, numFailedTests: 1, success: false });
  });

  it("is a success only when every lane is", () => {
    expect(mergeReports([report(1, 0, 1), report(2, 0, 2)]).success).toBe(true);
  });
});
