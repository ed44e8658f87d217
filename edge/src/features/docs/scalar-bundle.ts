/**
 * The API reference's browser bundle (`@scalar/api-reference`'s single-file standalone
 * build), straight from npm as a text module: wrangler.toml's `[[rules]]` type "Text"
 * matches it. Its package `exports` don't list the file, hence the path.
 */
// @ts-expect-error -- a text module (wrangler `[[rules]]`), not a JS import
import source from "../../../../node_modules/@scalar/api-reference/dist/browser/standalone.js";

export const SCALAR_BUNDLE: string = source;
