/**
 * `/api/sessions`: the caller's signed-in devices, and "log out that device". Revoking a
 * session ends its refresh-token family at once and its access tokens within the
 * revocation-check window (ADR 0004); in this isolate, at once.
 */
import { SessionId, type SessionListResponse } from "@streamline/contracts";
import { Hono } from "hono";
import type { AppEnv } from "../../app-env.ts";
import { parseParam } from "../../lib/validate.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { AuthService } from "../auth/auth.service.ts";
import { SessionsRepo } from "./sessions.repo.ts";

export const sessionsRoutes = new Hono<AppEnv>()
  .use(requireAuth())
  .use(async (c, next) => {
    await next();
    c.header("cache-control", "private, no-store");
  })
  .get("/", async (c) => {
    const rows = await new SessionsRepo(c.var.services.db).listActive(currentUserId(c), Date.now());
    const iso = (ms: number) => new Date(ms).toISOString();
    const body: SessionListResponse = {
      sessions: rows.map((s) => ({
        id: s.id,
        createdAt: iso(s.createdAt),
        lastUsedAt: iso(s.lastUsedAt),
        expiresAt: iso(s.expiresAt),
        userAgent: s.userAgent,
        ip: s.ip,
        current: s.id === c.var.sessionId,
      })),
    };
    return c.json(body);
  })
  .delete("/:id", async (c) => {
    const id = parseParam(SessionId, c.req.param("id"), "session");
    await AuthService.from(c.var.services).revokeSession(currentUserId(c), id);
    return c.body(null, 204);
  });
