/**
 * `npm run bench:community`: the community layer under load, on one local stack (wrangler
 * dev via scripts/lib/stack.ts). One section per measurement; each returns its figures
 * (JSON into bench/results/community.json) and adds a row to bench/RESULTS.md, with its
 * baseline measured in the same run and the 1-minute load average beside it.
 *
 *  - views:   view-heartbeat ingestion (ADR 0016) — bench/community/views.ts
 *  - feed:    the subscription feed query — added by the subscriptions work (section hook below)
 *  - fanout:  notification fan-out — added by the subscriptions work (section hook below)
 *
 * `SECTIONS=views,feed npm run bench:community` runs a subset.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startE2EStack } from "../e2e/support.ts";
import { ROOT } from "../scripts/lib/stack.ts";
import { load1, toJson } from "./lib/results.ts";

export type BenchStack = Awaited<ReturnType<typeof startE2EStack>>;

/** One measurement: runs against the shared stack, records its own RESULTS.md row, returns its JSON. */
export interface Section {
  name: string;
  run(stack: BenchStack): Promise<Record<string, unknown>>;
}

/** Every section, in run order. Add a section by importing its module and listing it here. */
async function sections(): Promise<Section[]> {
  // views: ./community/views.ts (viewsSection), being written with the view counting.
  // Hook for the subscriptions/feed/notifications work: `feedSection`, `fanoutSection`.
  return [];
}

const wanted = process.env.SECTIONS?.split(",").map((s) => s.trim());
const chosen = (await sections()).filter((s) => !wanted || wanted.includes(s.name));
const stack = await startE2EStack({ quiet: false, edgeVars: { VIEW_FLUSH_SECONDS: "10" } });
try {
  const result: Record<string, unknown> = { date: new Date().toISOString(), load1Start: await load1() };
  for (const section of chosen) result[section.name] = await section.run(stack);
  result.load1End = await load1();
  console.log(toJson(result));
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(join(ROOT, "bench/results/community.json"), `${toJson(result)}\n`);
} finally {
  await stack.stop();
}
