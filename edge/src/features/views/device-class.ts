/**
 * A coarse device class from the request (ADR 0023): `tv`, `tablet`, `phone` or `desktop`.
 * Only the User-Agent and the `Sec-CH-UA-Mobile` client hint are read, on the edge; nothing
 * is stored but the class. iPadOS reports a Mac user agent by default, so it counts as desktop.
 */
import type { DeviceClass } from "@streamline/contracts";

const TV =
  /\b(smart-?tv|smarttv|googletv|google tv|android tv|appletv|apple tv|hbbtv|tizen|web0s|webos|netcast|roku|crkey|bravia|aft[a-z]{1,3}\b|playstation|xbox|nintendo)/i;
const TABLET = /\b(ipad|tablet|playbook|silk|kindle|nexus (7|9|10))\b/i;
const PHONE = /\b(mobi|iphone|ipod|windows phone|blackberry|opera mini|iemobile)/i;

export function deviceClass(userAgent: string | undefined, mobileHint?: string): DeviceClass {
  const ua = userAgent ?? "";
  if (TV.test(ua)) return "tv";
  if (TABLET.test(ua)) return "tablet";
  if (mobileHint === "?1" || PHONE.test(ua)) return "phone";
  // Android without "Mobile" is a tablet by Google's own convention.
  if (/\bandroid\b/i.test(ua)) return "tablet";
  return "desktop";
}
