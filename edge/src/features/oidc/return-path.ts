/**
 * Where the browser lands after a provider round-trip: same-site paths only (the site's
 * `safeNext` rule, checked again here because the edge issues the redirect), and the pages
 * the callback sends people to, errors included (`/login?error=<code>`).
 */
import type { OidcErrorCode, OidcProviderId } from "@streamline/contracts";

/** `?next=https://evil.example`, `//evil.example`, `/\evil` and control characters fall back to `/`. */
export function safeNext(next: string | null | undefined, fallback = "/"): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  if ([...next].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return fallback;
  return next.slice(0, 512);
}

/** Signed in: the login page trades the fresh refresh cookie for a token, then goes on to `next`. */
export function signedInPage(next: string): string {
  return `/login?${new URLSearchParams({ oidc: "signed-in", next })}`;
}

/** A refused sign-in reads as a sentence on /login; a refused link on /account. */
export function errorPage(intent: "signin" | "link", code: OidcErrorCode, next = "/"): string {
  if (intent === "link") return `/account?${new URLSearchParams({ oidc_error: code })}#linked-accounts`;
  const query = new URLSearchParams({ error: code });
  if (next !== "/") query.set("next", next);
  return `/login?${query}`;
}

export function linkedPage(provider: OidcProviderId): string {
  return `/account?${new URLSearchParams({ linked: provider })}#linked-accounts`;
}

/** The follow-up pages of a pending sign-in: pick a handle, or prove the existing account's password. */
export const PENDING_PAGES = { signup: "/welcome", link: "/link-account" } as const;
