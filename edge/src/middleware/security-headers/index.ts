/**
 * Security headers on everything the edge answers. Every response gets `nosniff` and a
 * strict referrer policy (`no-referrer` kept where a page sets it); HTML pages (forwarded from the site Worker) get a CSP that lets
 * hls.js do its work — MediaSource `blob:` URLs for `<video>`, `blob:` workers — the
 * browser PUT parts to the S3 endpoint and open the progress WebSocket, and nothing else;
 * API responses get a CSP that allows nothing at all. WebSocket upgrades (101) are left
 * untouched. A route may allow one inline script by setting `c.var.cspNonce` (only /docs
 * does, for the API reference's init script). Pages refuse every frame (`frame-ancestors
 * 'none'`, `X-Frame-Options: DENY`) unless `c.var.frameAncestors` says otherwise: only
 * `/embed/:id` sets it (features/embeds/embed-framing.ts, ADR 0019).
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";

export interface PageCspOptions {
  /** Origin of presigned part URLs (S3_PUBLIC_ENDPOINT or S3_ENDPOINT). */
  storageOrigin: string | null;
  /** The page's own URL: its host is also the WebSocket host. */
  pageUrl: URL;
  /** A nonce for the page's inline script (only /docs sets one: the API reference's init). */
  scriptNonce?: string | undefined;
  /** `frame-ancestors` sources; only an embed page (features/embeds) loosens the default 'none'. */
  frameAncestors?: string | undefined;
}

export function pageCsp({ storageOrigin, pageUrl, scriptNonce, frameAncestors }: PageCspOptions): string {
  const wsOrigin = `${pageUrl.protocol === "https:" ? "wss" : "ws"}://${pageUrl.host}`;
  const connect = [
    "'self'",
    wsOrigin,
    ...(storageOrigin && storageOrigin !== pageUrl.origin ? [storageOrigin] : []),
  ];
  return [
    "default-src 'self'",
    scriptNonce ? `script-src 'self' 'nonce-${scriptNonce}'` : "script-src 'self'",
    // Astro inlines small stylesheets and components set CSS variables in style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    // data: for the empty <track> hls.js adds per caption track so Chromium's CC menu lists it.
    "media-src 'self' blob: data:",
    "worker-src 'self' blob:",
    `connect-src ${connect.join(" ")}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors ?? "'none'"}`,
  ].join("; ");
}

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (c.res.status === 101 || c.res.webSocket) return;
    const url = new URL(c.req.url);
    c.header("x-content-type-options", "nosniff");
    // A page with a mailed link's token in its URL (/verify-email, /reset-password) asks for
    // no referrer at all and keeps it; nothing may loosen the policy.
    const asked = c.res.headers.get("referrer-policy");
    c.header("referrer-policy", asked === "no-referrer" ? asked : "strict-origin-when-cross-origin");
    if (url.protocol === "https:")
      c.header("strict-transport-security", "max-age=31536000; includeSubDomains");
    const type = c.res.headers.get("content-type") ?? "";
    if (type.startsWith("text/html")) {
      const { config } = c.var.services;
      c.header(
        "content-security-policy",
        pageCsp({
          storageOrigin: originOf(config.S3_PUBLIC_ENDPOINT ?? config.S3_ENDPOINT),
          pageUrl: url,
          scriptNonce: c.var.cspNonce,
          frameAncestors: c.var.frameAncestors,
        }),
      );
      // Browsers that know frame-ancestors ignore X-Frame-Options; older ones get DENY unless framing is allowed.
      const framable = c.var.frameAncestors !== undefined && c.var.frameAncestors !== "'none'";
      if (!framable) c.header("x-frame-options", "DENY");
      c.header("cross-origin-opener-policy", "same-origin");
      c.header("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
    } else if (url.pathname.startsWith("/api/")) {
      c.header("content-security-policy", API_CSP);
    }
  };
}
