/**
 * The edge Worker bundled once, for long bench runs: wrangler dev reloads the Worker
 * whenever a file under edge/ changes, and on a tree shared with other work a reload
 * mid-run drops sockets and fails requests. `wrangler deploy --dry-run` bundles it into a
 * temp dir, and a copy of wrangler.toml pointing at that bundle (`no_bundle`) is what the
 * stack's wrangler dev runs: edits made during the run do not reach it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, wranglerBin } from "../../scripts/lib/stack.ts";

/** Bundles the edge as it is now; returns the path of a wrangler config that runs that bundle. */
export function frozenEdgeConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), "streamline-bench-edge-"));
  const res = spawnSync(
    process.execPath,
    [wranglerBin(), "deploy", "--dry-run", "--outdir", dir, "-c", "wrangler.toml"],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_SEND_METRICS: "false",
        NO_COLOR: "1",
      },
      encoding: "utf8",
    },
  );
  if (res.status !== 0) throw new Error(`edge bundle failed:\n${res.stdout}\n${res.stderr}`);
  const original = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const frozen = original
    .replace(
      /^main = .*$/m,
      ['main = "index.js"', "no_bundle = true", "find_additional_modules = true"].join("\n"),
    )
    // The bundle names the API reference's script `<hash>-standalone.js` (a Text module).
    .replace('globs = ["**/standalone.js"]', 'globs = ["**/*standalone.js"]')
    .replace(/^migrations_dir = .*$/m, `migrations_dir = ${JSON.stringify(join(ROOT, "migrations"))}`);
  const config = join(dir, "wrangler.toml");
  writeFileSync(config, `${frozen.trimEnd()}\n\n[[rules]]\ntype = "ESModule"\nglobs = ["**/*.js"]\n`);
  return config;
}
