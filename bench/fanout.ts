/**
 * `npm run bench:fanout`: WebSocket fan-out of one VideoRoom in wrangler dev.
 * N watchers (default 1,000) connect to one video; 100 progress events are POSTed by the
 * "fleet" (this script plays it: it receives the signed job and signs its events), and
 * every delivery's latency (event POSTed → frame received) is recorded — through wrangler's
 * dev proxy and straight to the edge's workerd (bench/load/fanout.ts). The baseline, run
 * against the same stack in the same process, is a single watcher.
 * Target: p99 ≤ 100 ms at 1,000 watchers. Results: bench/results/fanout.json + RESULTS.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../scripts/lib/stack.ts";
import { startBenchStack } from "./lib/bench-stack.ts";
import { toJson } from "./lib/results.ts";
import { appendFanoutRows, fanoutSection } from "./load/fanout.ts";

const b = await startBenchStack();
try {
  const r = await fanoutSection(b);
  const result = { date: new Date().toISOString(), ...r };
  console.log(toJson(result));
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  if (!process.env.BENCH_DRY) writeFileSync(join(ROOT, "bench/results/fanout.json"), `${toJson(result)}\n`);
  await appendFanoutRows(result.date, r);
} finally {
  await b.stop();
}
