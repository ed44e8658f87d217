/** `npm run bench`: every benchmark, one after the other (they share the 2 cores badly). */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const benches = (
  process.argv.slice(2).length ? process.argv.slice(2) : ["ladder", "transcode", "playable", "fanout"]
).map((b) => `${b}.ts`);
let failed = 0;
for (const b of benches) {
  console.log(`\n=== bench/${b}`);
  const res = spawnSync(process.execPath, [join(import.meta.dirname, b)], { stdio: "inherit" });
  if (res.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
