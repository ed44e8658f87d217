/**
 * Delivery URLs carry their short-lived token in the path (`/v/{id}/{token}/…`, relative URIs
 * inherit it). Reading and swapping that segment is shared by the player (fresh tokens for a
 * long session), the seek previews and the studio's poster check (same file, new token).
 */
const TOKEN_IN_PATH = /^(\/v\/[^/]+\/)([^/]+)(\/.*)$/;

/** The token segment of a delivery URL or path, or null when it is not one. */
export function tokenOf(url: string, base = "http://localhost"): string | null {
  try {
    return TOKEN_IN_PATH.exec(new URL(url, base).pathname)?.[2] ?? null;
  } catch {
    return null;
  }
}

/** `url` with its delivery token replaced; other URLs are returned untouched. */
export function withToken(url: string, token: string, base = "http://localhost"): string {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    return url;
  }
  const match = TOKEN_IN_PATH.exec(parsed.pathname);
  if (!match || match[2] === token) return url;
  parsed.pathname = `${match[1]}${token}${match[3]}`;
  return parsed.href;
}
