/** `/api/me`: the signed-in caller, and their own videos in every state (the studio's list). */
import type { MeResponse, VideoListResponse } from "@streamline/contracts";
import { Hono } from "hono";
import type { AppEnv } from "../../app-env.ts";
import { validationError } from "../../lib/errors.ts";
import { currentUserId, requireAuth } from "../../middleware/auth/index.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { ListQuery, videoPage } from "../videos/videos.routes.ts";
import { toUserDto } from "./auth.service.ts";
import { UsersRepo } from "./users.repo.ts";

export const meRoutes = new Hono<AppEnv>()
  .use(requireAuth())
  .use(async (c, next) => {
    await next();
    c.header("cache-control", "private, no-store");
  })
  .get("/", async (c) => {
    const user = await new UsersRepo(c.var.services.db).find(currentUserId(c));
    // A live session for a deleted account cannot happen (sessions cascade), but never answer 500 for it.
    if (!user) return c.json({ error: { code: "invalid_token", message: "account no longer exists" } }, 401);
    return c.json({ user: toUserDto(user), sessionId: c.var.sessionId! } satisfies MeResponse);
  })
  .get("/videos", async (c) => {
    const q = ListQuery.safeParse(c.req.query());
    if (!q.success) throw validationError(q.error, "query");
    const userId = currentUserId(c);
    const rows = await new VideosRepo(c.var.services.db).listOwnedBy(userId, q.data.limit, q.data.after);
    return c.json((await videoPage(c.var.services, rows, q.data.limit, userId)) satisfies VideoListResponse);
  });
