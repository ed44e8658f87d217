/**
 * Cache headers for the site's pages (ADR 0020). Hashed assets under /_astro/ are immutable
 * for a year (the adapter writes that into `_headers`); HTML is rendered per visitor (the
 * theme cookie, the signed poster URLs on home) and must never be stored by a shared cache or
 * reused without asking: `private, no-cache`. A page that set its own header (a redirect with
 * `max-age`) keeps it.
 */
import { defineMiddleware } from "astro:middleware";

export const HTML_CACHE_CONTROL = "private, no-cache";

export const onRequest = defineMiddleware(async (_context, next) => {
  const response = await next();
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("text/html") || response.headers.has("cache-control")) return response;
  try {
    response.headers.set("cache-control", HTML_CACHE_CONTROL);
    return response;
  } catch {
    // Immutable headers (a fetched response passed through): copy.
    const copy = new Response(response.body, response);
    copy.headers.set("cache-control", HTML_CACHE_CONTROL);
    return copy;
  }
});
