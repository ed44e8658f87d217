/**
 * Builds the site once per e2e run, so the suites never test a stale `site/dist`
 * (the stack launcher only builds when there is no build at all). `npm test` builds it
 * before its lanes and sets `E2E_SITE_BUILT`, so two e2e runs never rebuild it at once.
 */
import { buildSite } from "../scripts/lib/stack.ts";

export default function setup() {
  if (process.env.E2E_SITE_BUILT) return;
  buildSite(() => {});
}
