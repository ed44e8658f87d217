/** `/api/me`: the signed-in caller, and their own videos in every state (the studio's list). */
import type { MeResponse, VideoListResponse } from "@streamline/contracts";
import { VideoListQuery } from "@streamline/contracts";
import { Hono } from "hono";
import type { AppEnv } from "../../app-env.ts";
import { validationError } from "../../lib/errors.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { VideosService } from "../videos/videos.service.ts";
import { requireAuth } from "./auth.middleware.ts";
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
    const q = VideoListQuery.safeParse(c.req.query());
    if (!q.success) throw validationError(q.error, "query");
    const page = await VideosService.from(c.var.services).listOwned(currentUserId(c), q.data);
    return c.json(page satisfies VideoListResponse);
  });
