import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./lib/stack.ts";
import { E2E_IN_REST_LANE, LANES, mergeReports } from "./test.ts";

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

describe("npm test's lanes", () => {
  it("runs each e2e file moved to the rest lane there, after its projects, and not in the e2e lane", () => {
    expect(E2E_IN_REST_LANE.length).toBeGreaterThan(0);
    const [e2e, rest] = LANES;
    for (const file of E2E_IN_REST_LANE) {
      expect(existsSync(join(ROOT, file)), file).toBe(true);
      expect(e2e!.runs[0]!.args.join(" ")).toContain(`--exclude ${file}`);
      expect(rest!.runs.at(-1)!.args).toContain(file);
    }
    expect(rest!.runs[0]!.args).toEqual(["--project", "!e2e"]);
    const reports = LANES.flatMap((l) => l.runs.map((r) => r.report));
    expect(new Set(reports).size).toBe(reports.length);
  });
});
