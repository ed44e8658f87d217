/** `/api/me`: the signed-in caller, and their own videos in every state (the studio's list). */
import { createRoute } from "@hono/zod-openapi";
import { MeResponse, VideoListQuery, VideoListResponse } from "@streamline/contracts";
import { AppError } from "../../lib/errors.ts";
import { BEARER, errors, json, openApiRouter } from "../../lib/openapi.ts";
import { SESSION_ID, USER, VIDEO } from "../../lib/openapi-examples.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { VideosService } from "../videos/videos.service.ts";
import { requireAuth } from "./auth.middleware.ts";
import { toUserDto } from "./auth.service.ts";
import { RolesRepo } from "./roles.ts";
import { UsersRepo } from "./users.repo.ts";

const tags = ["account"];

const me = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "The caller",
  security: BEARER,
  responses: {
    200: json(MeResponse, "The signed-in user", { user: { ...USER, roles: [] }, sessionId: SESSION_ID }),
    ...errors(401),
  },
});

const myVideos = createRoute({
  method: "get",
  path: "/videos",
  tags,
  summary: "The caller's videos in every state, newest first",
  security: BEARER,
  request: { query: VideoListQuery },
  responses: {
    200: json(VideoListResponse, "One page", { videos: [{ ...VIDEO, owned: true }], nextCursor: null }),
    ...errors(400, 401),
  },
});

const router = openApiRouter();
router.use(requireAuth(), async (c, next) => {
  await next();
  c.header("cache-control", "private, no-store");
});

export const meRoutes = router
  .openapi(me, async (c) => {
    const user = await new UsersRepo(c.var.services.db).find(currentUserId(c));
    // A live session for a deleted account cannot happen (sessions cascade), but never answer 500 for it.
    if (!user) throw new AppError(401, "invalid_token", "account no longer exists");
    const roles = await new RolesRepo(c.var.services.db).rolesOf(user.id);
    return c.json({ user: { ...toUserDto(user), roles }, sessionId: c.var.sessionId! }, 200);
  })
  .openapi(myVideos, async (c) =>
    c.json(await VideosService.from(c.var.services).listOwned(currentUserId(c), c.req.valid("query")), 200),
  );
