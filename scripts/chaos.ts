/**
 * `npm run chaos`: the long variants of the fleet fault tests (issue 17, docs/reliability.md),
 * on loopback only, each bounded in time, then a summary. `npm test` runs the same files with
 * outages of seconds and a shortened backoff; here every outage lasts CHAOS_OUTAGE_SECONDS
 * (default 60) against the production backoff (10 s doubling; capped at 40 s, because wrangler
 * dev's local queue lost a retry delayed 80 s):
 *  - e2e/fleet-faults.test.ts: the fleet answers 503 for a minute, then every node is down for
 *    a minute; each video still reaches `ready` (the DLQ case is left to `npm test`: this
 *    backoff reaches the DLQ only after minutes);
 *  - transcoder/src/fleet/fleet-faults.test.ts: Redis down for a minute under a running job
 *    (stopped before its claim could expire, the next attempt runs once Redis is back), plus
 *    the short outage and disk-full cases.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { ROOT } from "./lib/stack.ts";

const VITEST = join(ROOT, "node_modules/vitest/vitest.mjs");
const OUTAGE_SECONDS = Number(process.env.CHAOS_OUTAGE_SECONDS) || 60;
/** Each run's hard bound: its outages plus generous room for stacks and transcodes. */
const RUN_BOUND_MS = (OUTAGE_SECONDS * 3 + 600) * 1000;

interface ChaosRun {
  name: string;
  project: string;
  file: string;
  env: Record<string, string>;
}

const RUNS: ChaosRun[] = [
  {
    name: "queue and fleet: 503 for a minute, every node down for a minute",
    project: "e2e",
    file: "e2e/fleet-faults.test.ts",
    env: { CHAOS_FLEET_OUTAGE_MS: String(OUTAGE_SECONDS * 1000) },
  },
  {
    name: "Redis down for a minute; disk full",
    project: "transcoder",
    file: "transcoder/src/fleet/fleet-faults.test.ts",
    env: { CHAOS_REDIS_OUTAGE_MS: String(OUTAGE_SECONDS * 1000) },
  },
];

interface Outcome {
  run: ChaosRun;
  code: number;
  seconds: number;
  timedOut: boolean;
  tests: { passed: number; failed: number; skipped: number; names: string[] };
  load: string;
}

function vitest(run: ChaosRun, report: string): Promise<{ code: number; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [VITEST, "run", "--project", run.project, run.file], {
      cwd: ROOT,
      stdio: "inherit",
      detached: true,
      env: {
        ...process.env,
        ...run.env,
        VITEST_JSON_REPORT: report,
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_SEND_METRICS: "false",
        ASTRO_TELEMETRY_DISABLED: "1",
      },
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }, RUN_BOUND_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, timedOut });
    });
  });
}

type Assertion = { title: string; status: string; duration?: number };

function testsOf(report: string): Outcome["tests"] {
  const tests = { passed: 0, failed: 0, skipped: 0, names: [] as string[] };
  if (!existsSync(report)) return tests;
  const json = JSON.parse(readFileSync(report, "utf8")) as {
    testResults: { assertionResults: Assertion[] }[];
  };
  for (const a of json.testResults.flatMap((r) => r.assertionResults)) {
    if (a.status === "passed") tests.passed++;
    else if (a.status === "failed") tests.failed++;
    else tests.skipped++;
    const secs = a.duration !== undefined ? ` (${(a.duration / 1000).toFixed(1)} s)` : "";
    tests.names.push(`${a.status === "passed" ? "✓" : a.status === "failed" ? "✗" : "-"} ${a.title}${secs}`);
  }
  return tests;
}

async function main() {
  mkdirSync(join(ROOT, "reports"), { recursive: true });
  console.log(
    `npm run chaos: outages of ${OUTAGE_SECONDS} s, each run bounded to ${RUN_BOUND_MS / 60_000} min`,
  );
  const outcomes: Outcome[] = [];
  for (const [i, run] of RUNS.entries()) {
    console.log(`\n=== ${run.name} (${run.file})`);
    const report = join(ROOT, "reports", `chaos-${i + 1}.json`);
    const load = loadavg()[0]!.toFixed(1);
    const started = Date.now();
    const { code, timedOut } = await vitest(run, report);
    outcomes.push({
      run,
      code,
      timedOut,
      load,
      seconds: (Date.now() - started) / 1000,
      tests: testsOf(report),
    });
  }
  console.log("\n=== chaos summary");
  for (const o of outcomes) {
    const verdict = o.code === 0 ? "PASS" : o.timedOut ? "TIMED OUT" : "FAIL";
    console.log(
      `${verdict}  ${o.run.name}: ${o.tests.passed} passed, ${o.tests.failed} failed, ${o.tests.skipped} skipped in ${o.seconds.toFixed(0)} s (1-min load at start ${o.load})`,
    );
    for (const name of o.tests.names) console.log(`        ${name}`);
  }
  process.exitCode = outcomes.every((o) => o.code === 0) ? 0 : 1;
}

await main();
