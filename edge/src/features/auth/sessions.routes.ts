/**
 * `/api/sessions`: the caller's signed-in devices, and "log out that device". Revoking a
 * session ends its refresh-token family at once and its access tokens within the
 * revocation-check window (ADR 0004); in this isolate, at once.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { SessionId, SessionListResponse } from "@streamline/contracts";
import { notFound } from "../../lib/errors.ts";
import { BEARER, errors, json, openApiRouter, validationHook } from "../../lib/openapi.ts";
import { SESSION_ID } from "../../lib/openapi-examples.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { requireAuth } from "./auth.middleware.ts";
import { AuthService } from "./auth.service.ts";
import { SessionsRepo } from "./sessions.repo.ts";

const tags = ["account"];

const list = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "The caller's active sessions, most recently used first",
  security: BEARER,
  responses: {
    200: json(SessionListResponse, "Active sessions", {
      sessions: [
        {
          id: SESSION_ID,
          createdAt: "2026-11-23T10:00:00.000Z",
          lastUsedAt: "2026-11-23T12:00:00.000Z",
          expiresAt: "2026-12-23T10:00:00.000Z",
          userAgent: "Mozilla/5.0",
          ip: "203.0.113.7",
          current: true,
        },
      ],
    }),
    ...errors(401),
  },
});

const revoke = createRoute({
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Sign that device out",
  security: BEARER,
  request: { params: z.object({ id: SessionId.meta({ example: SESSION_ID }) }) },
  responses: { 204: { description: "Signed out" }, ...errors(401, 404) },
});

const router = openApiRouter();
router.use(requireAuth(), async (c, next) => {
  await next();
  c.header("cache-control", "private, no-store");
});

export const sessionsRoutes = router
  .openapi(list, async (c) => {
    const rows = await new SessionsRepo(c.var.services.db).listActive(currentUserId(c), Date.now());
    const iso = (ms: number) => new Date(ms).toISOString();
    return c.json(
      {
        sessions: rows.map((s) => ({
          id: s.id,
          createdAt: iso(s.createdAt),
          lastUsedAt: iso(s.lastUsedAt),
          expiresAt: iso(s.expiresAt),
          userAgent: s.userAgent,
          ip: s.ip,
          current: s.id === c.var.sessionId,
        })),
      },
      200,
    );
  })
  .openapi(
    revoke,
    async (c) => {
      await AuthService.from(c.var.services).revokeSession(currentUserId(c), c.req.valid("param").id);
      return c.body(null, 204);
    },
    validationHook({ param: () => notFound("session") }),
  );
