/**
 * `/api/me/api-keys` (ADR 0025): create (the secret is in this one response), list, revoke.
 * Managing keys needs a signed-in session: an API key calling these gets 403
 * `insufficient_scope` (api-keys/scopes.ts maps no scope to them). The keys live in
 * features/api-keys, which the auth middleware uses; these routes sit here so that folder
 * never imports back into auth.
 */
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import {
  ApiKeyIdParam,
  ApiKeyListResponse,
  CreateApiKeyBody,
  CreatedApiKeyResponse,
} from "@streamline/contracts";
import type { AppEnv } from "../../lib/app-env.ts";
import { notFound } from "../../lib/errors.ts";
import { BEARER, errorDoc, errors, json, jsonBody, validationHook } from "../../lib/openapi.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { ApiKeysRepo } from "../api-keys/api-keys.repo.ts";
import { createApiKey, toApiKeyDto } from "../api-keys/api-keys.service.ts";
import { requireAuth } from "./auth.middleware.ts";

const tags = ["account"];
const KEY = {
  id: "ak_4kQ2bX9mT1pL7sV3nR8w",
  name: "CI uploader",
  prefix: "sl_Xy3Kp9Qa",
  scopes: ["uploads", "videos:read"],
  createdAt: "2026-12-07T10:00:00.000Z",
  lastUsedAt: null,
};
const SESSION_ONLY = errorDoc(403, {
  code: "insufficient_scope",
  message: "API keys cannot call this endpoint; it needs a signed-in session",
  description: "Called with an API key: keys are managed with a signed-in session only",
});

const list = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "The caller's live API keys",
  security: BEARER,
  responses: {
    200: json(ApiKeyListResponse, "Live keys, newest first (never the secret)", { apiKeys: [KEY] }),
    403: SESSION_ONLY,
    ...errors(401),
  },
});

const create = createRoute({
  method: "post",
  path: "/",
  tags,
  summary: "Create an API key (its secret is shown once)",
  description:
    "Scopes: `videos:read`, `videos:write`, `uploads`, `analytics:read`, `webhooks`. The key (`sl_…`) is in this response only; the server keeps its SHA-256. At most 25 live keys. Limited per user (`RL_EDITS`).",
  security: BEARER,
  middleware: [rateLimit("RL_EDITS", (c) => c.var.userId)] as const,
  request: { body: jsonBody(CreateApiKeyBody, { name: "CI uploader", scopes: ["uploads", "videos:read"] }) },
  responses: {
    201: json(CreatedApiKeyResponse, "The key and, once, its secret", {
      apiKey: KEY,
      key: "sl_Xy3Kp9QaZr0v…",
    }),
    403: SESSION_ONLY,
    409: errorDoc(409, { code: "too_many_api_keys", message: "at most 25 API keys; revoke one first" }),
    ...errors(400, 401, 413, 415, 429),
  },
});

const revoke = createRoute({
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Revoke an API key (requests with it get 401 at once)",
  security: BEARER,
  middleware: [rateLimit("RL_EDITS", (c) => c.var.userId)] as const,
  request: { params: ApiKeyIdParam },
  responses: {
    204: { description: "Revoked" },
    403: SESSION_ONLY,
    404: errorDoc(404, { message: "API key not found" }),
    ...errors(401, 429),
  },
});

const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook({ param: () => notFound("API key") }) });
router.use(requireAuth(), async (c, next) => {
  await next();
  c.header("cache-control", "private, no-store");
});

export const apiKeysRoutes = router
  .openapi(list, async (c) => {
    const rows = await new ApiKeysRepo(c.var.services.db).listLive(currentUserId(c));
    return c.json({ apiKeys: rows.map(toApiKeyDto) }, 200);
  })
  .openapi(create, async (c) =>
    c.json(
      await createApiKey(new ApiKeysRepo(c.var.services.db), currentUserId(c), c.req.valid("json")),
      201,
    ),
  )
  .openapi(revoke, async (c) => {
    const revoked = await new ApiKeysRepo(c.var.services.db).revoke(
      currentUserId(c),
      c.req.valid("param").id,
      Date.now(),
    );
    if (!revoked) throw notFound("API key");
    return c.body(null, 204);
  });
