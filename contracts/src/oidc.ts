/**
 * Sign in with an OpenID Connect provider (Google): the provider list, the pending sign-in a
 * first visit leaves behind, finishing it with a handle or the existing account's password,
 * and the caller's linked identities (ADR 0012).
 */
import { z } from "zod";
import { AuthResponse, Handle, PASSWORD_MAX } from "./api.ts";

/** Providers the edge knows; each is offered only when configured. */
export const OIDC_PROVIDERS = ["google"] as const;
export const OidcProviderId = z.enum(OIDC_PROVIDERS);
export type OidcProviderId = z.infer<typeof OidcProviderId>;

export const OidcProviderParams = z.object({ provider: OidcProviderId });

/** `GET /api/auth/oidc/:provider/start`: `intent=link` (signed in, from account settings) or sign-in. */
export const OidcStartQuery = z.object({
  intent: z.enum(["signin", "link"]).default("signin"),
  /** Where the browser goes once signed in: a same-site path, anything else is ignored. */
  next: z.string().max(512).optional(),
});

/** `GET /api/auth/oidc/:provider/callback`: what the provider sends back (validated by oauth4webapi). */
export const OidcCallbackQuery = z
  .object({
    code: z.string().max(2048).optional(),
    state: z.string().max(512).optional(),
    iss: z.string().max(512).optional(),
    error: z.string().max(256).optional(),
    error_description: z.string().max(1024).optional(),
  })
  .passthrough();

export const OidcProviderDto = z.object({ id: OidcProviderId, name: z.string() });
export type OidcProviderDto = z.infer<typeof OidcProviderDto>;

/** `GET /api/auth/providers`: the sign-in providers this deployment has configured. */
export const ProvidersResponse = z.object({ providers: z.array(OidcProviderDto) });
export type ProvidersResponse = z.infer<typeof ProvidersResponse>;

/**
 * `GET /api/auth/oidc/pending`: the sign-in waiting in this browser's pending cookie.
 * `signup`: no account has the address — pick a handle. `link`: an account with this
 * verified address exists — prove its password to link.
 */
export const PendingSignIn = z.object({
  provider: OidcProviderDto,
  kind: z.enum(["signup", "link"]),
  email: z.string(),
  emailVerified: z.boolean(),
  name: z.string().nullable(),
  /** signup only: a free handle made from the name (or the address). */
  suggestedHandle: z.string().nullable(),
  /** When the pending sign-in expires (ISO). */
  expiresAt: z.string(),
});
export type PendingSignIn = z.infer<typeof PendingSignIn>;

export const CompleteOidcSignupBody = z.object({ handle: Handle });
export type CompleteOidcSignupBody = z.infer<typeof CompleteOidcSignupBody>;

export const LinkOidcBody = z.object({
  password: z.string().min(1, "password is required").max(PASSWORD_MAX, "password is too long"),
});
export type LinkOidcBody = z.infer<typeof LinkOidcBody>;

/** complete and link: signed in, plus where the browser was going. */
export const OidcSignedIn = AuthResponse.extend({ next: z.string() });
export type OidcSignedIn = z.infer<typeof OidcSignedIn>;

export const IdentityDto = z.object({
  provider: OidcProviderId,
  providerName: z.string(),
  /** The address the provider reported when it was linked. */
  email: z.string().nullable(),
  linkedAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type IdentityDto = z.infer<typeof IdentityDto>;

/** `GET /api/me/identities`. `hasPassword` false: the account signs in only through a provider. */
export const IdentityListResponse = z.object({ identities: z.array(IdentityDto), hasPassword: z.boolean() });
export type IdentityListResponse = z.infer<typeof IdentityListResponse>;

/**
 * Codes the callback puts in `/login?error=` (or `/account?oidc_error=` when linking); the
 * site turns each into a sentence.
 */
export const OIDC_ERROR_CODES = [
  "oidc_not_configured",
  "oidc_state",
  "oidc_denied",
  "oidc_failed",
  "oidc_unavailable",
  "oidc_no_email",
  "oidc_unverified_account",
  "oidc_identity_taken",
  "oidc_already_linked",
  "oidc_signed_out",
  "oidc_rate_limited",
  "oidc_suspended",
] as const;
export type OidcErrorCode = (typeof OIDC_ERROR_CODES)[number];
