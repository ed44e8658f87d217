/**
 * `npm run check:functions`: the 15 longest functions in edge, transcoder and site (tests
 * and generated files left out), and exit 1 when one is over the limit (120 lines).
 *
 *   node scripts/function-lengths.ts [--top 30] [--max 120]
 */
import { parseArgs } from "node:util";
import { measureTree } from "./lib/function-lengths.ts";
import { ROOT } from "./lib/stack.ts";

export const MEASURED = ["edge/src", "transcoder/src", "site/src"];

const { values } = parseArgs({
  options: { top: { type: "string", default: "15" }, max: { type: "string", default: "120" } },
});
const top = Number(values.top);
const max = Number(values.max);
const all = measureTree(ROOT, MEASURED);
const over = all.filter((f) => f.lines > max);
console.log(`longest ${top} of ${all.length} functions (limit ${max} lines):`);
for (const f of all.slice(0, top)) {
  console.log(`${String(f.lines).padStart(5)}  ${f.lines > max ? "✗" : " "} ${f.file}:${f.line}  ${f.name}`);
}
if (over.length > 0) {
  console.log(`${over.length} function(s) over ${max} lines`);
  for (const f of over.slice(top))
    console.log(`${String(f.lines).padStart(5)}  ✗ ${f.file}:${f.line}  ${f.name}`);
} else console.log(`functions ok: none over ${max} lines`);
process.exitCode = over.length > 0 ? 1 : 0;
