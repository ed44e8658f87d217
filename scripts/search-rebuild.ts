/**
 * `npm run search:rebuild [-- --remote | --persist-to <dir>]`: rebuilds the search index
 * (migration 0017's FTS5 tables, ADR 0021) from videos, channels, users and caption_texts
 * with scripts/search-rebuild.sql through `wrangler d1 execute --file`.
 *
 * Local by default: the state `npm run dev` uses (.data/wrangler). `--remote` runs it against
 * the deployed database (wrangler's own login or CLOUDFLARE_API_TOKEN). The triggers keep the
 * index in step on every write, so this is for restores (D1's `export` refuses databases with
 * virtual tables: back up per table, restore, then rebuild — README) and for repair.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT, wranglerBin } from "./lib/stack.ts";

const { values } = parseArgs({
  options: { remote: { type: "boolean", default: false }, "persist-to": { type: "string" } },
});
const where = values.remote
  ? ["--remote"]
  : ["--local", "--persist-to", values["persist-to"] ?? join(ROOT, ".data/wrangler")];
const res = spawnSync(
  process.execPath,
  [
    wranglerBin(),
    "d1",
    "execute",
    "streamline",
    ...where,
    "-c",
    "wrangler.toml",
    "--json",
    "--yes",
    "--file",
    join(ROOT, "scripts/search-rebuild.sql"),
  ],
  {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" },
    maxBuffer: 64 * 1024 * 1024,
  },
);
if (res.status !== 0) {
  console.error(`search:rebuild failed (wrangler exited ${res.status}):\n${res.stdout}\n${res.stderr}`);
  process.exit(1);
}
const counts = /"videos":\s*(\d+),\s*"channels":\s*(\d+)/.exec(res.stdout.replace(/\s+/g, " "));
console.log(
  counts
    ? `search index rebuilt (${values.remote ? "remote" : "local"}): ${counts[1]} videos, ${counts[2]} channels`
    : `search index rebuilt (${values.remote ? "remote" : "local"})`,
);
