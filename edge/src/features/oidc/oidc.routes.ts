/**
 * `/api/auth/providers` and `/api/auth/oidc/*`: sign in with an OpenID provider (ADR 0012).
 *
 * `start` and `callback` are browser navigations: they answer with redirects, and every
 * refusal — bad or missing state, the provider's error, a code or ID token that does not
 * verify, an unreachable issuer, a rate limit — is a redirect to a page that says so in a
 * sentence (`/login?error=<code>`), never a 500 and never a session. `pending`, `complete`
 * and `link` are the follow-up pages' JSON calls (an allowed Origin required on writes).
 */
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import {
  CompleteOidcSignupBody,
  LinkOidcBody,
  OidcCallbackQuery,
  OidcProviderParams,
  OidcSignedIn,
  OidcStartQuery,
  PendingSignIn,
  ProvidersResponse,
} from "@streamline/contracts";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../../lib/app-env.ts";
import { clientInfo } from "../../lib/client-info.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { log } from "../../lib/log.ts";
import { errorDoc, errors, json, jsonBody, validationHook } from "../../lib/openapi.ts";
import { USER } from "../../lib/openapi-examples.ts";
import { requireAllowedOrigin } from "../../middleware/origin-check/index.ts";
import { enforceRateLimit, rateLimit } from "../../middleware/rate-limit/index.ts";
import { DEVICE_COOKIE } from "../auth/device-cookie.ts";
import { REFRESH_COOKIE, rememberDevice, withSession } from "../auth/session-cookies.ts";
import { OidcService } from "./oidc.service.ts";
import { authorizationUrl, OidcRefusal, verifyCallback } from "./oidc-client.ts";
import { clearPending, readPending, setAttempt, setPending, takeAttempt } from "./oidc-cookies.ts";
import { configuredProvider, configuredProviders, type OidcProvider } from "./providers.ts";
import { errorPage, linkedPage, PENDING_PAGES, safeNext, signedInPage } from "./return-path.ts";

const tags = ["auth"];
const perIp = (action: string) =>
  rateLimit("RL_AUTH_IP", (c) => `${action}:${clientInfo(c.req.raw).rateKey}`);
const redirect = (description: string) => ({
  description,
  headers: {
    location: { schema: { type: "string" as const }, description: "Where the browser goes next" },
    "set-cookie": {
      schema: { type: "string" as const },
      description:
        "`sl_oidc_state` / `sl_oidc_pending` (HttpOnly, SameSite=Lax, Path=/api/auth/oidc, sealed)",
    },
  },
});
const noPending = errorDoc(404, {
  code: "no_pending_sign_in",
  message: "no sign-in is waiting in this browser; start again",
  description: "No pending sign-in in this browser (none, expired or already used)",
});
const signedIn = {
  user: USER,
  accessToken: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1XzdoR2YzRHNBMXFXZTlyVHkifQ.c2lnbmF0dXJl",
  expiresAt: "2026-11-23T10:15:00.000Z",
  next: "/upload",
};

const providers = createRoute({
  method: "get",
  path: "/providers",
  tags,
  summary: "The sign-in providers this deployment offers",
  responses: {
    200: json(ProvidersResponse, "Configured providers (empty: password only)", {
      providers: [{ id: "google", name: "Google" }],
    }),
    ...errors(429),
  },
});

const start = createRoute({
  method: "get",
  path: "/oidc/{provider}/start",
  tags,
  summary: "Start signing in (or linking, `intent=link`) with a provider",
  description:
    "Redirects to the provider's authorization endpoint: code flow with PKCE (S256), `state` and `nonce`, kept for " +
    "10 minutes in a sealed `sl_oidc_state` cookie. `intent=link` needs the signed-in browser's refresh cookie. " +
    "Refusals redirect to `/login?error=<code>` (`/account?oidc_error=<code>` when linking). `RL_AUTH_IP` per client IP.",
  request: { params: OidcProviderParams, query: OidcStartQuery },
  responses: { 302: redirect("To the provider, or to a page that explains the refusal"), ...errors(404) },
});

const callback = createRoute({
  method: "get",
  path: "/oidc/{provider}/callback",
  tags,
  summary: "The provider sends the browser back here",
  description:
    "Checks state (against the cookie), issuer and the provider's error, redeems the code with the PKCE verifier and " +
    "verifies the ID token (signature against the issuer's JWKS, iss, aud, azp, exp, nonce). A known identity signs " +
    "in (refresh cookie, like a login) → `/login?oidc=signed-in&next=…`; a new one → `/welcome` (pick a handle); an " +
    "existing account with the same verified email → `/link-account` (its password). Never a 500, never a session on a refusal.",
  request: { params: OidcProviderParams, query: OidcCallbackQuery },
  responses: {
    302: redirect("Signed in, to a follow-up page, or to a page that explains the refusal"),
    ...errors(404),
  },
});

const pending = createRoute({
  method: "get",
  path: "/oidc/pending",
  tags,
  summary: "The sign-in waiting in this browser (for the follow-up pages)",
  responses: {
    200: json(PendingSignIn, "What the provider said, and a free handle to suggest", {
      provider: { id: "google", name: "Google" },
      kind: "signup",
      email: "ana@example.com",
      emailVerified: true,
      name: "Ana Lima",
      suggestedHandle: "ana-lima",
      expiresAt: "2026-11-23T10:15:00.000Z",
    }),
    404: noPending,
    ...errors(429),
  },
});

const cancel = createRoute({
  method: "delete",
  path: "/oidc/pending",
  tags,
  summary: "Forget the pending sign-in",
  middleware: [requireAllowedOrigin()] as const,
  responses: { 204: { description: "Forgotten (or there was none)" }, ...errors(403) },
});

const complete = createRoute({
  method: "post",
  path: "/oidc/complete",
  tags,
  summary: "Finish a first sign-in: create the account (and channel) with this handle, signed in",
  description:
    "The account has no password (set one later with the reset mail); its email counts as verified when the " +
    "provider said so. `RL_AUTH_IP` per client IP.",
  middleware: [requireAllowedOrigin(), perIp("oidc-complete")] as const,
  request: { body: jsonBody(CompleteOidcSignupBody, { handle: "ana-lima" }) },
  responses: {
    201: json(OidcSignedIn, "Account created and signed in (refresh cookie set)", signedIn),
    404: noPending,
    409: errorDoc(409, {
      code: "handle_taken",
      message: "that handle is taken; choose another",
      description:
        "`handle_taken`; `email_taken` (an account was created with the address meanwhile); `identity_taken`",
    }),
    ...errors(400, 403, 413, 415, 429),
  },
});

const link = createRoute({
  method: "post",
  path: "/oidc/link",
  tags,
  summary: "Link the pending identity to the account with its address, proving that account's password",
  description:
    "Checked exactly as a login (same per-email delay after failures). `RL_AUTH_IP` per client IP.",
  middleware: [requireAllowedOrigin(), perIp("oidc-link")] as const,
  request: { body: jsonBody(LinkOidcBody, { password: "correct horse battery staple" }) },
  responses: {
    200: json(OidcSignedIn, "Linked and signed in (refresh cookie set)", signedIn),
    401: errorDoc(401, { code: "invalid_credentials", message: "email or password is incorrect" }),
    404: noPending,
    409: errorDoc(409, {
      code: "identity_taken",
      message: "this Google account is already linked to another Streamline account",
    }),
    ...errors(400, 403, 413, 415, 429),
  },
});

const redirectUri = (c: Context<AppEnv>, provider: OidcProvider) =>
  `${new URL(c.req.url).origin}/api/auth/oidc/${provider.id}/callback`;

/** A refusal the operator can read in the logs, and the person on a page (its path is returned). */
function refused(where: string, err: OidcRefusal, page: string): string {
  log.warn("oidc refused", { event: `oidc.${where}.refused`, code: err.code, reason: err.reason });
  return page;
}

/** Per-IP limit for the navigations: over it is a refusal page, not a JSON 429. */
async function limitNavigation(c: Context<AppEnv>, action: string) {
  try {
    await enforceRateLimit(c.env, "RL_AUTH_IP", `${action}:${clientInfo(c.req.raw).rateKey}`);
  } catch (err) {
    if (err instanceof AppError && err.status === 429)
      throw new OidcRefusal("oidc_rate_limited", "per-IP limit");
    throw err;
  }
}

function providerOrRefuse(c: Context<AppEnv>, id: Parameters<typeof configuredProvider>[1]): OidcProvider {
  const provider = configuredProvider(c.var.services.config, id);
  if (!provider) throw new OidcRefusal("oidc_not_configured", `${id} is not configured`);
  return provider;
}

/** Where `start` sends the browser: the provider (attempt cookie set), or a refusal page. */
async function startAttempt(
  c: Context<AppEnv>,
  id: OidcProvider["id"],
  { intent, next }: { intent: "signin" | "link"; next?: string | undefined },
): Promise<string> {
  const target = safeNext(next, intent === "link" ? "/account" : "/");
  try {
    await limitNavigation(c, "oidc-start");
    const provider = providerOrRefuse(c, id);
    let userId: string | undefined;
    if (intent === "link") {
      const session = await OidcService.from(c.var.services).sessionOf(getCookie(c, REFRESH_COOKIE));
      if (!session) throw new OidcRefusal("oidc_signed_out", "linking needs a signed-in browser");
      userId = session.userId;
    }
    const { url, secrets } = await authorizationUrl(provider, redirectUri(c, provider));
    await setAttempt(c, { provider: id, ...secrets, intent, next: target, ...(userId ? { userId } : {}) });
    return url.href;
  } catch (err) {
    if (err instanceof OidcRefusal) return refused("start", err, errorPage(intent, err.code, target));
    throw err;
  }
}

/** Where the callback sends the browser: signed in, a follow-up page, or a refusal page. */
async function finishAttempt(c: Context<AppEnv>, id: OidcProvider["id"]): Promise<string> {
  const attempt = await takeAttempt(c);
  const intent = attempt?.intent ?? "signin";
  try {
    await limitNavigation(c, "oidc-callback");
    if (!attempt || attempt.provider !== id) {
      throw new OidcRefusal(
        "oidc_state",
        "no valid attempt cookie for this provider (expired, used, or another browser)",
      );
    }
    const provider = providerOrRefuse(c, id);
    const identity = await verifyCallback(provider, redirectUri(c, provider), new URL(c.req.url), attempt);
    const service = OidcService.from(c.var.services);
    if (attempt.intent === "link") {
      if (!attempt.userId) throw new OidcRefusal("oidc_signed_out", "link attempt without a user");
      await service.linkToUser(attempt.userId, id, identity);
      return linkedPage(id);
    }
    const outcome = await service.signIn(id, identity, attempt.next, clientInfo(c.req.raw));
    if (outcome.kind === "pending") {
      await setPending(c, outcome.pending);
      return PENDING_PAGES[outcome.pending.kind];
    }
    await rememberDevice(c, outcome.session.user.id);
    withSession(c, outcome.session);
    return signedInPage(attempt.next);
  } catch (err) {
    if (err instanceof OidcRefusal)
      return refused("callback", err, errorPage(intent, err.code, attempt?.next));
    throw err;
  }
}

async function pendingOrThrow(c: Context<AppEnv>) {
  const found = await readPending(c);
  if (!found)
    throw new AppError(404, "no_pending_sign_in", "no sign-in is waiting in this browser; start again");
  return found;
}

/** An unknown provider in the path is a 404 that names a provider, not a shape explanation. */
const router = new OpenAPIHono<AppEnv>({
  defaultHook: validationHook({ param: () => notFound("provider") }),
});
router.use(async (c, next) => {
  await next();
  c.header("cache-control", "no-store");
});

export const oidcRoutes = router
  .openapi(providers, (c) => c.json({ providers: configuredProviders(c.var.services.config) }, 200))
  .openapi(start, async (c) =>
    c.redirect(await startAttempt(c, c.req.valid("param").provider, c.req.valid("query")), 302),
  )
  .openapi(callback, async (c) => c.redirect(await finishAttempt(c, c.req.valid("param").provider), 302))
  .openapi(pending, async (c) => {
    const { pending: waiting, expiresAt } = await pendingOrThrow(c);
    return c.json(await OidcService.from(c.var.services).describe(waiting, expiresAt), 200);
  })
  .openapi(cancel, (c) => {
    clearPending(c);
    return c.body(null, 204);
  })
  .openapi(complete, async (c) => {
    const { pending: waiting } = await pendingOrThrow(c);
    const { handle } = c.req.valid("json");
    const issued = await OidcService.from(c.var.services).completeSignup(
      waiting,
      handle,
      clientInfo(c.req.raw),
    );
    await rememberDevice(c, issued.user.id);
    clearPending(c);
    return c.json({ ...withSession(c, issued), next: waiting.next }, 201);
  })
  .openapi(link, async (c) => {
    const { pending: waiting } = await pendingOrThrow(c);
    const issued = await OidcService.from(c.var.services).linkWithPassword(
      waiting,
      c.req.valid("json").password,
      clientInfo(c.req.raw),
      { deviceCookie: getCookie(c, DEVICE_COOKIE), refreshToken: getCookie(c, REFRESH_COOKIE) },
    );
    await rememberDevice(c, issued.user.id);
    clearPending(c);
    return c.json({ ...withSession(c, issued), next: waiting.next }, 200);
  });
