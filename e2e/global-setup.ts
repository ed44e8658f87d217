/**
 * Builds the site once per e2e run, so the suites never test a stale `site/dist`
 * (the stack launcher only builds when there is no build at all).
 */
import { buildSite } from "../scripts/lib/stack.ts";

export default function setup() {
  buildSite(() => {});
}
