/**
 * Runs `astro check` against TypeScript 6.
 *
 * `astro check` is built on Volar, which needs TypeScript's JS API. The repo root pins
 * TypeScript 7 (the native compiler, no JS API yet) and npm hoists Volar beside it, so Volar's
 * own `require("typescript")` would load 7 and crash. This points every `typescript` import at
 * the site's TypeScript 6, then hands over to the Astro CLI. Drop it once Volar supports 7.
 */

import { createRequire, registerHooks } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const typescript6 = require.resolve("typescript");
const astroBin = join(dirname(require.resolve("astro/package.json")), "bin", "astro.mjs");

registerHooks({
  resolve(specifier, context, nextResolve) {
    return nextResolve(specifier === "typescript" ? typescript6 : specifier, context);
  },
});

process.argv = [process.argv[0], astroBin, "check", ...process.argv.slice(2)];
await import(pathToFileURL(astroBin).href);
