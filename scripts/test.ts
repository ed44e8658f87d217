/**
 * `npm test`: the whole suite in two lanes at once — the e2e project (whole stacks +
 * Chromium, one file at a time) and every other project (one file at a time) — because
 * vitest runs its default single worker on a 2-core machine and the two lanes wait on
 * different things (stack start-up, transcodes and a browser vs. workerd and ffmpeg).
 * Measured on the 2-core CI machine: one vitest process took 2,058 s; see the README.
 *
 * The e2e lane is the longer one, so a few e2e files (`E2E_IN_REST_LANE`) run in the
 * other lane once its own projects are done; the site is built once, before both lanes.
 *
 * Each run writes its own JSON report; they are merged into `reports/vitest.json`
 * (what `.ci/run` reads). A run that dies without a report counts as a failure.
 * With arguments (`npm test -- edge/src/…`) it is plain `vitest run <args>`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { buildSite, ROOT } from "./lib/stack.ts";

const VITEST = join(ROOT, "node_modules/vitest/vitest.mjs");
const REPORT = join(ROOT, "reports/vitest.json");

/** One vitest run of a lane and where its JSON report goes. */
interface Run {
  args: string[];
  report: string;
}

interface Lane {
  name: string;
  /** Run one after the other. */
  runs: Run[];
}

/**
 * e2e files run in the "rest" lane after its own projects, to even the lanes out. Measured
 * in CI (2 cores, before the move): e2e lane 1,218–1,339 s, rest lane 952–958 s; these two
 * took 115 s and 53 s of the e2e lane.
 */
export const E2E_IN_REST_LANE = ["e2e/moderation.test.ts", "e2e/email.test.ts"];

const report = (name: string) => join(ROOT, `reports/vitest-${name}.json`);

export const LANES: Lane[] = [
  {
    name: "e2e",
    runs: [
      {
        args: ["--project", "e2e", ...E2E_IN_REST_LANE.flatMap((f) => ["--exclude", f])],
        report: report("e2e"),
      },
    ],
  },
  {
    name: "rest",
    runs: [
      { args: ["--project", "!e2e"], report: report("rest") },
      { args: ["--project", "e2e", ...E2E_IN_REST_LANE], report: report("rest-e2e") },
    ],
  },
];

/** A lane's runs in order; a failed run does not stop the next. Resolves the worst exit code. */
async function runLane(lane: Lane, env: NodeJS.ProcessEnv): Promise<number> {
  let worst = 0;
  for (const r of lane.runs) {
    const code = await run(r.args, { ...env, VITEST_JSON_REPORT: r.report }, `[${lane.name}]`);
    worst = Math.max(worst, code);
  }
  return worst;
}

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
  const runs = LANES.flatMap((lane) => lane.runs);
  for (const r of runs) rmSync(r.report, { force: true });
  const started = Date.now();
  // Built once here: an e2e run in each lane would otherwise rebuild site/dist under the other.
  buildSite((line) => console.log(`[site] ${line}`));
  const env = { ...process.env, E2E_SITE_BUILT: "1" };
  const codes = await Promise.all(
    LANES.map((lane) =>
      runLane(lane, env).then((code) => {
        console.log(
          `[${lane.name}] lane finished (exit ${code}) after ${Math.round((Date.now() - started) / 1000)} s`,
        );
        return code;
      }),
    ),
  );
  const reports = runs.map((r) => (existsSync(r.report) ? readReport(r.report) : null));
  const merged = mergeReports(reports);
  writeFileSync(REPORT, JSON.stringify(merged));
  console.log(
    `all lanes: ${merged.numPassedTests} passed, ${merged.numFailedTests} failed in ` +
      `${Math.round((Date.now() - started) / 1000)} s (report: reports/vitest.json)`,
  );
  process.exit(codes.some((c) => c !== 0) || !merged.success ? 1 : 0);
}

if (import.meta.main) await main();
