// @ts-check
/**
 * Build step (ADR 0033): the watch page's first script is a module whose imports form a small
 * graph (hls.js, the player, their helpers). A browser finds each level only once it has parsed
 * the one above, so the graph arrived in three waves; listed as `<link rel="modulepreload">` in
 * the page's `<head>` it is fetched in one. The hashed names exist only after the client build,
 * which runs after the server's, so the server bundle carries a placeholder this step fills in
 * once both are written — the way Astro fills in its own manifest.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** What `features/watch/first-frame.ts` renders from; replaced with the JSON list of paths. */
export const PLACEHOLDER = "__STREAMLINE_WATCH_MODULES__";
const QUOTED = new RegExp(`["'\`]${PLACEHOLDER}["'\`]`, "g");
/** The watch page's first script says so (features/watch/early-start.ts). */
const ENTRY_MARK = "sl:early-start";
const STATIC_IMPORT = /(?:\bfrom|\bimport)\s*["']\.\/([\w.-]+\.js)["']/g;

/**
 * The static import graph of `entry` within one folder of chunks (`files`: name → code), the
 * largest first (it takes longest). Dynamic `import("…")` is not followed.
 * @param {Map<string, string>} files
 * @param {string} entry
 * @returns {string[]}
 */
export function staticGraph(files, entry) {
  const seen = new Set([entry]);
  const queue = [entry];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    for (const [, dep] of (files.get(name) ?? "").matchAll(STATIC_IMPORT)) {
      if (dep && files.has(dep) && !seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  return [...seen].sort((a, b) => (files.get(b)?.length ?? 0) - (files.get(a)?.length ?? 0));
}

/** @param {URL} dir @returns {Promise<string[]>} every .mjs file below `dir` */
async function serverFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".mjs")).map((e) => join(e.parentPath, e.name));
}

/** @returns {import("astro").AstroIntegration} */
export function watchModules() {
  /** @type {URL} */ let client;
  /** @type {URL} */ let server;
  return {
    name: "streamline:watch-modules",
    hooks: {
      "astro:config:done": ({ config }) => {
        client = config.build.client;
        server = config.build.server;
      },
      "astro:build:done": async ({ logger }) => {
        const dir = fileURLToPath(new URL("_astro/", client));
        const names = (await readdir(dir)).filter((n) => n.endsWith(".js"));
        /** @type {Map<string, string>} */
        const files = new Map();
        for (const n of names) files.set(n, await readFile(join(dir, n), "utf8"));
        const entry = names.find(
          (n) => n.includes("astro_type_script") && files.get(n)?.includes(ENTRY_MARK),
        );
        if (!entry) return logger.warn("watch page's first script not found: no modulepreload links");
        const paths = staticGraph(files, entry).map((n) => `/_astro/${n}`);
        let replaced = 0;
        for (const file of await serverFiles(server)) {
          const code = await readFile(file, "utf8");
          if (!code.includes(PLACEHOLDER)) continue;
          await writeFile(file, code.replace(QUOTED, JSON.stringify(JSON.stringify(paths))));
          replaced++;
        }
        logger.info(`watch page: ${paths.length} modulepreload links (${replaced} server file)`);
      },
    },
  };
}
