/**
 * `npm test`: the whole suite in two lanes at once — the e2e project (whole stacks +
 * Chromium, one file at a time) and every other project (one file at a time) — because
 * vitest runs its default single worker on a 2-core machine and the two lanes wait on
 * different things (stack start-up, transcodes and a browser vs. workerd and ffmpeg).
 * Measured on the 2-core CI machine: one vitest process took 2,058 s; see the README.
 *
 * Each lane writes its own JSON report; they are merged into `reports/vitest.json`
 * (what `.ci/run` reads). A lane that dies without a report counts as a failure.
 * With arguments (`npm test -- edge/src/…`) it is plain `vitest run <args>`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ROOT } from "./lib/stack.ts";

const VITEST = join(ROOT, "node_modules/vitest/vitest.mjs");
const REPORT = join(ROOT, "reports/vitest.json");

interface Lane {
  name: string;
  args: string[];
  report: string;
}

const LANES: Lane[] = [
  { name: "e2e", args: ["--project", "e2e"], report: join(ROOT, "reports/vitest-e2e.json") },
  { name: "rest", args: ["--project", "!e2e"], report: join(ROOT, "reports/vitest-rest.json") },
];

function run(args: string[], env: NodeJS.ProcessEnv, prefix?: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [VITEST, "run", ...args], {
      cwd: ROOT,
      env,
      stdio: prefix ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    if (prefix) {
      for (const stream of [child.stdout, child.stderr]) {
        if (!stream) continue;
        const out = stream === child.stdout ? process.stdout : process.stderr;
        createInterface({ input: stream }).on("line", (line) => out.write(`${prefix} ${line}\n`));
      }
    }
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward).on("SIGTERM", forward);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

type Report = Record<string, unknown> & { testResults: unknown[]; startTime: number; success: boolean };

const COUNTS = [
  "numTotalTestSuites",
  "numPassedTestSuites",
  "numFailedTestSuites",
  "numPendingTestSuites",
  "numTotalTests",
  "numPassedTests",
  "numFailedTests",
  "numPendingTests",
  "numTodoTests",
] as const;

/** One report out of the lanes' reports; a missing report is one failed test of its lane. */
export function mergeReports(reports: Array<Report | null>): Report {
  const merged: Report = { testResults: [], startTime: Date.now(), success: true };
  for (const key of COUNTS) merged[key] = 0;
  for (const report of reports) {
    if (!report) {
      merged.success = false;
      merged.numFailedTests = (merged.numFailedTests as number) + 1;
      merged.numTotalTests = (merged.numTotalTests as number) + 1;
      continue;
    }
    for (const key of COUNTS) merged[key] = (merged[key] as number) + Number(report[key] ?? 0);
    merged.startTime = Math.min(merged.startTime, report.startTime);
    merged.success &&= report.success;
    merged.testResults.push(...report.testResults);
  }
  return merged;
}

function readReport(path: string): Report | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Report;
  } catch {
    return null;
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length) process.exit(await run(args, process.env));
  mkdirSync(join(ROOT, "reports"), { recursive: true });
  for (const lane of LANES) rmSync(lane.report, { force: true });
  const started = Date.now();
  const codes = await Promise.all(
    LANES.map((lane) =>
      run(lane.args, { ...process.env, VITEST_JSON_REPORT: lane.report }, `[${lane.name}]`).then((code) => {
        console.log(
          `[${lane.name}] lane finished (exit ${code}) after ${Math.round((Date.now() - started) / 1000)} s`,
        );
        return code;
      }),
    ),
  );
  const reports = LANES.map((lane) => (existsSync(lane.report) ? readReport(lane.report) : null));
  const merged = mergeReports(reports);
  writeFileSync(REPORT, JSON.stringify(merged));
  console.log(
    `all lanes: ${merged.numPassedTests} passed, ${merged.numFailedTests} failed in ` +
      `${Math.round((Date.now() - started) / 1000)} s (report: reports/vitest.json)`,
  );
  process.exit(codes.some((c) => c !== 0) || !merged.success ? 1 : 0);
}

if (import.meta.main) await main();
