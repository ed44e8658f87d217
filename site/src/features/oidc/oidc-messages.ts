/**
 * Sentences for the codes a refused provider sign-in leaves in the address bar
 * (`/login?error=<code>`, `/account?oidc_error=<code>`, contracts `OIDC_ERROR_CODES`), and
 * for the follow-up pages' API errors. Pure, so they are tested without a browser.
 */
import type { OidcErrorCode } from "@streamline/contracts";

const SENTENCES: Record<OidcErrorCode, string> = {
  oidc_not_configured:
    "Signing in with that provider isn't set up on this server. Use your email and password.",
  oidc_state:
    "That sign-in attempt expired or was started in another browser. Please try again from this page.",
  oidc_denied: "You cancelled signing in with Google. Nothing was changed.",
  oidc_failed:
    "Google's answer could not be verified, so you were not signed in. Please try again; if it keeps happening, tell the site's operator.",
  oidc_unavailable: "Google couldn't be reached just now. Please try again in a moment.",
  oidc_no_email: "Google didn't share an email address, which Streamline needs to create your account.",
  oidc_unverified_account:
    "An account with this email already exists, but its address was never verified, so it can't be linked automatically. Log in with your password, then link Google from your account settings.",
  oidc_identity_taken: "That Google account is already linked to another Streamline account.",
  oidc_already_linked:
    "Another Google account is already linked here. Unlink it first to link a different one.",
  oidc_signed_out: "Your session ended. Log in again, then link Google from your account settings.",
  oidc_rate_limited: "Too many sign-in attempts from your network. Please wait a minute and try again.",
  oidc_suspended:
    "This account has been suspended by a moderator, so you can't sign in. If you think this is a mistake, contact the site's operator.",
};

/** The sentence for a code, or null for anything that is not one of ours. */
export function oidcErrorSentence(code: string | null | undefined): string | null {
  return code && Object.hasOwn(SENTENCES, code) ? SENTENCES[code as OidcErrorCode] : null;
}

/** The start URL of a provider, carrying where to go afterwards (same-site paths only, checked again by the edge). */
export function startUrl(provider: string, options: { next?: string | null; intent?: "link" } = {}): string {
  const query = new URLSearchParams();
  if (options.intent) query.set("intent", options.intent);
  if (options.next) query.set("next", options.next);
  const qs = query.toString();
  return `/api/auth/oidc/${encodeURIComponent(provider)}/start${qs ? `?${qs}` : ""}`;
}
