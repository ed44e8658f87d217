/**
 * The API reference's browser bundle (`@scalar/api-reference`'s single-file standalone
 * build), straight from npm as a text module: wrangler.toml's `[[rules]]` type "Text"
 * matches it, and `wrangler types` declares standalone.js files as string modules. Its package
 * `exports` don't list the file, hence the path.
 */
import source from "../../../../node_modules/@scalar/api-reference/dist/browser/standalone.js";

export const SCALAR_BUNDLE: string = source;
