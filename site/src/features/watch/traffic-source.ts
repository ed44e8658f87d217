/**
 * Where a view came from (ADR 0023), decided in the browser from `document.referrer`: a
 * same-origin page by its path, another origin as `external`, none as `direct`; the embed
 * page is `embed` whatever embeds it. Sent once with the view heartbeats (view-reporter.ts).
 */
import type { TrafficSource } from "@streamline/contracts";

/** Same-origin paths → source; the first match wins. */
const BY_PATH: [RegExp, TrafficSource][] = [
  [/^\/search(\/|$)/, "search"],
  [/^\/c\//, "channel"],
  [/^\/watch\//, "up_next"],
  [/^\/feed(\/|$)/, "feed"],
  [/^\/embed\//, "embed"],
  [/^\/(trending\/?)?$/, "browse"],
];

export function trafficSource(referrer: string, here: { origin: string; pathname: string }): TrafficSource {
  if (here.pathname.startsWith("/embed/")) return "embed";
  if (!referrer) return "direct";
  let from: URL;
  try {
    from = new URL(referrer);
  } catch {
    return "direct";
  }
  if (from.origin !== here.origin) return "external";
  for (const [pattern, source] of BY_PATH) if (pattern.test(from.pathname)) return source;
  // Other pages of the site (history, studio, account…): found by browsing it.
  return "browse";
}
