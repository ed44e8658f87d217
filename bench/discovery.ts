/**
 * `npm run bench:discovery`: search, trending and creator analytics under load (issue 15).
 * One section per measurement; each returns its figures (all land in
 * bench/results/discovery.json) and adds its own row to bench/RESULTS.md, with its baseline
 * measured in the same run and the 1-minute load average beside it.
 *
 * Register a section with ONE line in SECTIONS below: its module exports `section: Section`.
 * `SECTIONS=search npm run bench:discovery` runs a subset; `VERBOSE=1` shows a stack's output.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startE2EStack } from "../e2e/support.ts";
import type { StackOptions } from "../scripts/lib/stack.ts";
import { ROOT } from "../scripts/lib/stack.ts";
import type { BenchContext, BenchStack, Section } from "./discovery/section.ts";
import { load1, toJson } from "./lib/results.ts";

/** Every section, in run order: name → its module (which exports `section`). */
const SECTIONS: Record<string, () => Promise<{ section: Section }>> = {
  search: () => import("./discovery/search.ts"),
  analytics: () => import("./discovery/analytics.ts"),
  trending: () => import("./discovery/trending.ts"),
};

const wanted = process.env.SECTIONS?.split(",").map((s) => s.trim());
const unknown = wanted?.filter((w) => !(w in SECTIONS)) ?? [];
if (unknown.length)
  throw new Error(`unknown section(s) ${unknown.join(", ")}; known: ${Object.keys(SECTIONS)}`);

const startStack = (extra: Partial<StackOptions> = {}) =>
  startE2EStack({ quiet: !process.env.VERBOSE, log: () => {}, ...extra });
let shared: Promise<BenchStack> | undefined;
const context: BenchContext = {
  stack: () => {
    shared ??= startStack();
    return shared;
  },
  startStack,
};

try {
  const result: Record<string, unknown> = { date: new Date().toISOString(), load1Start: await load1() };
  for (const [name, load] of Object.entries(SECTIONS)) {
    if (wanted && !wanted.includes(name)) continue;
    console.log(`bench:discovery — ${name}`);
    result[name] = await (await load()).section.run(context);
  }
  result.load1End = await load1();
  console.log(toJson(result));
  // A subset run (SECTIONS=…) keeps the other sections' last figures in the file.
  const file = join(ROOT, "bench/results/discovery.json");
  const previous = existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>)
    : {};
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(file, `${toJson({ ...previous, ...result })}\n`);
} finally {
  if (shared) await (await shared).stop();
}
