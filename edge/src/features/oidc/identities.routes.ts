/**
 * `/api/me/identities`: the provider accounts linked to the caller, and unlinking one —
 * only while the account has a password to sign in with (ADR 0012). Linking starts from
 * `GET /api/auth/oidc/{provider}/start?intent=link` (a navigation).
 */
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { IdentityListResponse, OidcProviderParams } from "@streamline/contracts";
import type { AppEnv } from "../../lib/app-env.ts";
import { notFound } from "../../lib/errors.ts";
import { BEARER, errorDoc, errors, json, validationHook } from "../../lib/openapi.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { OidcService } from "./oidc.service.ts";

const tags = ["account"];

const list = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "The provider accounts linked to the caller",
  security: BEARER,
  responses: {
    200: json(
      IdentityListResponse,
      "Linked identities; `hasPassword` false = signs in only through a provider",
      {
        identities: [
          {
            provider: "google",
            providerName: "Google",
            email: "ana@example.com",
            linkedAt: "2026-11-23T10:00:00.000Z",
            lastUsedAt: "2026-11-23T12:00:00.000Z",
          },
        ],
        hasPassword: true,
      },
    ),
    ...errors(401),
  },
});

const unlink = createRoute({
  method: "delete",
  path: "/{provider}",
  tags,
  summary: "Unlink a provider (needs a password to fall back on)",
  description: "`RL_AUTH_IP` per user.",
  security: BEARER,
  middleware: [rateLimit("RL_AUTH_IP", (c) => `oidc-unlink:${c.var.userId ?? ""}`)] as const,
  request: { params: OidcProviderParams },
  responses: {
    204: { description: "Unlinked" },
    404: errorDoc(404, { code: "not_found", message: "no Google account is linked" }),
    409: errorDoc(409, {
      code: "password_required",
      message:
        'set a password before unlinking Google (use "Forgot password?" on the login page), or you could not sign in any more',
    }),
    ...errors(401, 429),
  },
});

/** An unknown provider in the path is a 404 that names a provider, not a shape explanation. */
const router = new OpenAPIHono<AppEnv>({
  defaultHook: validationHook({ param: () => notFound("provider") }),
});
router.use(requireAuth(), async (c, next) => {
  await next();
  c.header("cache-control", "private, no-store");
});

export const identitiesRoutes = router
  .openapi(list, async (c) =>
    c.json(await OidcService.from(c.var.services).listIdentities(currentUserId(c)), 200),
  )
  .openapi(unlink, async (c) => {
    await OidcService.from(c.var.services).unlink(currentUserId(c), c.req.valid("param").provider);
    return c.body(null, 204);
  });
