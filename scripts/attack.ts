/**
 * `npm run attack`: the attack suite at full size, bounded in time and loopback only.
 *
 *   1. the whole hostile media corpus through the real transcode job path (ATTACK_FULL=1);
 *   2. the API fuzzer with ATTACK_FUZZ_REQUESTS (default 10,000) from a fresh seed
 *      (ATTACK_SEED replays a run), plus the hole regression suites that exist;
 *
 * then a summary, and the results section of docs/security.md rewritten from this run
 * (`--no-docs` leaves the file alone). Every service involved (s3rver, the events
 * recorder, the canary, workerd) listens on 127.0.0.1; nothing is fetched from outside.
 * Each step is killed at its deadline (default 15 min for the whole run).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { CorpusRow } from "../attack/media/outcome.ts";
import { formatCorpusTable } from "../attack/media/outcome.ts";

const ROOT = resolve(import.meta.dirname, "..");
const BUDGET_MS = Number(process.env.ATTACK_BUDGET_MS ?? 15 * 60_000);
const REQUESTS = Number(process.env.ATTACK_FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.ATTACK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WRITE_DOCS = !process.argv.includes("--no-docs");
const DOC = resolve(ROOT, "docs", "security.md");
const START = "<!-- attack:results:start -->";
const END = "<!-- attack:results:end -->";

/** Regression suites of issue 11 holes (written by the fixes); run when present. */
const HOLE_SUITES = {
  edge: [
    "edge/src/features/captions/caption-format.scan.test.ts",
    // hole 11: signatures bound to direction/method/path, event keys under the video, secret floor
    "edge/src/features/events/events.test.ts",
    "edge/src/config.test.ts",
    // hole 5 and 12: access epoch on delivery, sockets closed on a visibility loss
    "edge/src/features/delivery/revocation.test.ts",
    "edge/src/features/progress/access.test.ts",
    // holes 6-8: roles in D1, login delay, limits, events body cap
    "edge/src/features/auth/roles.test.ts",
    "edge/src/features/auth/throttle.test.ts",
    "edge/src/middleware/rate-limit/index.test.ts",
    "edge/src/features/events/events-size.test.ts",
    // hole 10: viewers see the vocabulary only
    "edge/src/features/videos/video-failure.test.ts",
  ],
  transcoder: ["transcoder/src/ffmpeg/ssrf.test.ts"],
};

interface Step {
  name: string;
  args: string[];
  env: Record<string, string>;
}

interface StepResult {
  name: string;
  code: number | null;
  seconds: number;
  output: string;
  timedOut: boolean;
}

const started = Date.now();
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

function runStep(step: Step): Promise<StepResult> {
  const left = BUDGET_MS - (Date.now() - started);
  const t0 = Date.now();
  return new Promise((done) => {
    const child = spawn("npx", ["vitest", "run", ...step.args], {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_SEND_METRICS: "false",
        ...step.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output += text;
      process.stdout.write(text);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        // The whole group: vitest, its workers and workerd.
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      },
      Math.max(1_000, left),
    );
    child.on("close", (code) => {
      clearTimeout(timer);
      done({
        name: step.name,
        code,
        seconds: (Date.now() - t0) / 1000,
        output: output.replace(ANSI, ""),
        timedOut,
      });
    });
  });
}

const present = (files: string[]) => files.filter((f) => existsSync(resolve(ROOT, f)));

const steps: Step[] = [
  {
    name: `hostile media corpus (full)${present(HOLE_SUITES.transcoder).length ? " + SSRF suite" : ""}`,
    args: [
      "--project",
      "attack",
      "--project",
      "transcoder",
      "attack/media",
      ...present(HOLE_SUITES.transcoder),
    ],
    env: { ATTACK_FULL: "1" },
  },
  {
    name: `API fuzz (${REQUESTS} requests, seed ${SEED}) + edge hole suites`,
    args: ["--project", "edge", "attack/api", ...present(HOLE_SUITES.edge)],
    env: { ATTACK_FUZZ_REQUESTS: String(REQUESTS), ATTACK_SEED: String(SEED) },
  },
];

const results: StepResult[] = [];
for (const step of steps) {
  process.stdout.write(`\n=== attack: ${step.name} ===\n`);
  results.push(await runStep(step));
}

const totals = (output: string) => /Tests\s+([^\n]+)/.exec(output)?.[1]?.trim() ?? "no test summary";
const fuzzLine = results[1]?.output.split("\n").find((l) => l.includes("ATTACK_FUZZ_SUMMARY"));
const fuzz = fuzzLine
  ? (JSON.parse(fuzzLine.slice(fuzzLine.indexOf("{"))) as {
      requests: number;
      operations: number;
      seconds: number;
      seed: number;
      source: string;
      known: Record<string, number>;
      fresh: number;
    })
  : null;
const mediaReport = resolve(ROOT, "reports", "attack", "media.json");
const media = existsSync(mediaReport)
  ? (JSON.parse(await readFile(mediaReport, "utf8")) as {
      full: boolean;
      deadlineMs: number;
      rows: CorpusRow[];
    })
  : null;

const summary = [
  "",
  "=== attack summary ===",
  ...results.map(
    (r) =>
      `${r.timedOut ? "TIMED OUT" : r.code === 0 ? "ok" : `FAILED (${r.code})`}  ${r.name}: ${totals(r.output)} in ${r.seconds.toFixed(0)} s`,
  ),
  fuzz
    ? `fuzz: ${fuzz.requests} requests over ${fuzz.operations} operations in ${fuzz.seconds} s (seed ${fuzz.seed}); known findings ${JSON.stringify(fuzz.known)}; new findings ${fuzz.fresh}`
    : "fuzz: no summary line (see the output above)",
  media
    ? `media: ${media.rows.length} files, ${media.rows.filter((r) => r.verdict === "finding").length} findings`
    : "media: no report",
  `total ${((Date.now() - started) / 1000).toFixed(0)} s of a ${BUDGET_MS / 1000} s budget`,
].join("\n");
process.stdout.write(`${summary}\n`);

if (WRITE_DOCS && existsSync(DOC) && media && fuzz) {
  const doc = await readFile(DOC, "utf8");
  const from = doc.indexOf(START);
  const to = doc.indexOf(END);
  if (from >= 0 && to > from) {
    const knownRows = Object.entries(fuzz.known).map(([id, n]) => `| \`${id}\` | ${n} |`);
    const section = [
      START,
      `Last \`npm run attack\`: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${((Date.now() - started) / 1000).toFixed(0)} s in all.`,
      "",
      `**API fuzz**: ${fuzz.requests} requests over ${fuzz.operations} operations (${fuzz.source}) in ${fuzz.seconds} s, seed ${fuzz.seed}; new findings: ${fuzz.fresh}.`,
      "",
      "| known finding | requests that hit it |",
      "|---|---:|",
      ...knownRows,
      "",
      `**Media corpus** (${media.rows.length} files, deadline ${media.deadlineMs / 1000} s per job):`,
      "",
      formatCorpusTable(media.rows),
      END,
    ].join("\n");
    await writeFile(DOC, `${doc.slice(0, from)}${section}${doc.slice(to + END.length)}`);
    process.stdout.write(`docs/security.md results section updated\n`);
  }
}

process.exit(results.every((r) => r.code === 0 && !r.timedOut) ? 0 : 1);
