/**
 * `npm run check:imports`: prints every import cycle and every broken structure rule in
 * edge, transcoder, site, contracts and the root tooling (scripts, e2e, bench, attack), and exits 1
 * when there is one. The rules live in scripts/lib/import-graph.ts.
 */
import { buildGraph, checkStructure } from "./lib/import-graph.ts";
import { ROOT } from "./lib/stack.ts";

export const SCANNED = [
  "contracts/src",
  "edge/src",
  "edge/test",
  "transcoder/src",
  "site/src",
  "scripts",
  "e2e",
  "bench",
];

const edges = buildGraph(ROOT, SCANNED);
const violations = checkStructure(ROOT, edges);
const files = new Set(edges.flatMap((e) => [e.from, e.to])).size;
for (const v of violations) console.log(`✗ [${v.rule}] ${v.message}`);
console.log(
  violations.length === 0
    ? `imports ok: ${edges.length} imports between ${files} files, no cycles, no rule broken`
    : `${violations.length} import problem(s) in ${edges.length} imports between ${files} files`,
);
process.exitCode = violations.length === 0 ? 0 : 1;
