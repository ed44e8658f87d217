/**
 * `npm run bench:community`: the community layer under load, on one local stack (wrangler
 * dev via scripts/lib/stack.ts, the way `npm run dev` runs it). One section per measurement;
 * each returns its figures (all of them land in bench/results/community.json) and adds its
 * own row to bench/RESULTS.md, with its baseline measured in the same run and the 1-minute
 * load average beside it.
 *
 *  - views:   view-heartbeat ingestion (ADR 0016) — bench/community/views.ts
 *  - feed:    the subscription feed query (ADR 0017) — bench/community/feed.ts
 *  - fanout:  notification fan-out and live delivery (ADR 0017) — bench/community/fanout.ts
 *
 * `SECTIONS=views npm run bench:community` runs a subset; `VERBOSE=1` prints the stack's output.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startE2EStack } from "../e2e/support.ts";
import type { StackOptions } from "../scripts/lib/stack.ts";
import { ROOT } from "../scripts/lib/stack.ts";
import type { BenchContext, BenchStack, LineListener, Section } from "./community/section.ts";
import { load1, toJson } from "./lib/results.ts";

/** Every section, in run order. Add a section by importing its module and listing it here. */
async function sections(): Promise<Section[]> {
  const { viewsSection } = await import("./community/views.ts");
  const { feedSection } = await import("./community/feed.ts");
  const { fanoutSection } = await import("./community/fanout.ts");
  return [viewsSection, feedSection, fanoutSection];
}

// The stack prints its children's output as `[name] line` on our stdout (quiet: false):
// sections listen to it (the edge logs each ViewCounter flush); it is shown only with VERBOSE.
const listeners = new Set<LineListener>();
const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array) => boolean;
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
  const fromStack = /^\[[\w-]+\] /.test(text);
  if (fromStack) for (const line of text.split("\n")) if (line) for (const l of listeners) l(line);
  if (fromStack && !process.env.VERBOSE) return true;
  return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

const startStack = (extra: Partial<StackOptions> = {}) =>
  startE2EStack({ quiet: false, log: () => {}, ...extra });
const context = (stack: BenchStack): BenchContext => ({
  stack,
  onLine(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  startStack,
});

const wanted = process.env.SECTIONS?.split(",").map((s) => s.trim());
const chosen = (await sections()).filter((s) => !wanted || wanted.includes(s.name));
const stack = await startStack();
try {
  const result: Record<string, unknown> = { date: new Date().toISOString(), load1Start: await load1() };
  for (const section of chosen) result[section.name] = await section.run(context(stack));
  result.load1End = await load1();
  console.log(toJson(result));
  // A subset run (SECTIONS=…) keeps the other sections' last figures in the file.
  const file = join(ROOT, "bench/results/community.json");
  const previous = existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>)
    : {};
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(file, `${toJson({ ...previous, ...result })}\n`);
} finally {
  await stack.stop();
}
