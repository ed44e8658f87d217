/**
 * The two cookies of the OpenID flow, sealed (sealed-cookie.ts) and scoped to
 * `/api/auth/oidc`: `sl_oidc_state` — one attempt's state, nonce, PKCE verifier, intent and
 * return path, 10 minutes, cleared by its callback whatever the outcome; and
 * `sl_oidc_pending` — a verified identity waiting for a handle or a password, 15 minutes,
 * cleared once used. SameSite=Lax: the callback arrives as a top-level navigation from the
 * provider's site, which a Strict cookie would not be sent with.
 */
import { OidcProviderId } from "@streamline/contracts";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { AppEnv } from "../../lib/app-env.ts";
import { cookieIsSecure } from "../auth/session-cookies.ts";
import type { PendingIdentity } from "./oidc.service.ts";
import type { AttemptSecrets } from "./oidc-client.ts";
import { seal, unseal } from "./sealed-cookie.ts";

export const STATE_COOKIE = "sl_oidc_state";
export const PENDING_COOKIE = "sl_oidc_pending";
export const OIDC_COOKIE_PATH = "/api/auth/oidc";
export const STATE_TTL_SECONDS = 600;
export const PENDING_TTL_SECONDS = 900;

const Attempt = z.object({
  provider: OidcProviderId,
  state: z.string().min(1),
  nonce: z.string().min(1),
  codeVerifier: z.string().min(43),
  intent: z.enum(["signin", "link"]),
  next: z.string(),
  /** intent=link: the signed-in user the identity is for. */
  userId: z.string().optional(),
});
export type Attempt = z.infer<typeof Attempt> & AttemptSecrets;

const Pending = z.object({
  provider: OidcProviderId,
  subject: z.string().min(1),
  email: z.string(),
  emailVerified: z.boolean(),
  name: z.string().nullable(),
  kind: z.enum(["signup", "link"]),
  userId: z.string().optional(),
  next: z.string(),
}) satisfies z.ZodType<PendingIdentity>;

function options(c: Context<AppEnv>, maxAge: number) {
  return {
    path: OIDC_COOKIE_PATH,
    httpOnly: true,
    secure: cookieIsSecure(c),
    sameSite: "Lax" as const,
    maxAge,
  };
}

const secret = (c: Context<AppEnv>) => c.var.services.config.JWT_SECRET;

export async function setAttempt(c: Context<AppEnv>, attempt: Attempt): Promise<void> {
  const value = await seal(secret(c), "oidc-state", { ...attempt }, STATE_TTL_SECONDS);
  setCookie(c, STATE_COOKIE, value, options(c, STATE_TTL_SECONDS));
}

/** This browser's attempt, or null; the cookie is cleared either way (one callback per attempt). */
export async function takeAttempt(c: Context<AppEnv>): Promise<Attempt | null> {
  const value = getCookie(c, STATE_COOKIE);
  if (value !== undefined) deleteCookie(c, STATE_COOKIE, options(c, 0));
  return unseal(secret(c), "oidc-state", value, Attempt);
}

export async function setPending(c: Context<AppEnv>, pending: PendingIdentity): Promise<void> {
  const value = await seal(secret(c), "oidc-pending", { ...pending }, PENDING_TTL_SECONDS);
  setCookie(c, PENDING_COOKIE, value, options(c, PENDING_TTL_SECONDS));
}

/** The pending sign-in and when it expires (epoch ms), or null. */
export async function readPending(
  c: Context<AppEnv>,
): Promise<{ pending: PendingIdentity; expiresAt: number } | null> {
  const sealed = await unseal(secret(c), "oidc-pending", getCookie(c, PENDING_COOKIE), Pending);
  if (!sealed) return null;
  const { exp, ...pending } = sealed;
  return { pending, expiresAt: exp * 1000 };
}

export function clearPending(c: Context<AppEnv>): void {
  deleteCookie(c, PENDING_COOKIE, options(c, 0));
}
