/** `/api/me/history`: the caller's watch history with resume positions (ADR 0016). */
import { createRoute, z } from "@hono/zod-openapi";
import { HISTORY_PAGE_SIZE, HistoryQuery, HistoryResponse, VideoId } from "@streamline/contracts";
import { BEARER, errors, json, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO, VIDEO_ID } from "../../lib/openapi-examples.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { HistoryRepo } from "./history.repo.ts";
import { historyPage } from "./history.service.ts";
import { counterStub } from "./views.service.ts";

const tags = ["account"];

const list = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "What the caller watched, most recent first, with where each stopped",
  description:
    "Positions come from playback heartbeats and reach this list within `VIEW_FLUSH_SECONDS` (10 s). " +
    "A finished video stays with `positionSec: 0`. Videos the caller can no longer see are left out.",
  security: BEARER,
  request: { query: HistoryQuery },
  responses: {
    200: json(HistoryResponse, "One page", {
      items: [{ video: VIDEO, positionSec: 252, durationSec: 600, watchedAt: "2026-12-07T16:00:00.000Z" }],
      nextCursor: null,
    }),
    ...errors(400, 401),
  },
});

const clear = createRoute({
  method: "delete",
  path: "/",
  tags,
  summary: "Clear the whole history (positions still buffered are dropped too)",
  description: "Limited per user (`RL_EDITS`).",
  security: BEARER,
  middleware: [rateLimit("RL_EDITS", (c) => c.var.userId)] as const,
  responses: { 204: { description: "Cleared" }, ...errors(401, 429) },
});

const removeOne = createRoute({
  method: "delete",
  path: "/{videoId}",
  tags,
  summary: "Remove one video from the history",
  description: "Idempotent. Limited per user (`RL_EDITS`).",
  security: BEARER,
  middleware: [rateLimit("RL_EDITS", (c) => c.var.userId)] as const,
  request: { params: z.object({ videoId: VideoId.meta({ example: VIDEO_ID }) }) },
  responses: { 204: { description: "Removed" }, ...errors(401, 404, 429) },
});

const router = openApiRouter();
router.use(requireAuth(), async (c, next) => {
  await next();
  c.header("cache-control", "private, no-store");
});

export const historyRoutes = router
  .openapi(list, async (c) =>
    c.json(
      await historyPage(c.var.services, currentUserId(c), c.req.valid("query").cursor, HISTORY_PAGE_SIZE),
      200,
    ),
  )
  .openapi(clear, async (c) => {
    await new HistoryRepo(c.var.services.db).clear(currentUserId(c));
    return c.body(null, 204);
  })
  .openapi(removeOne, async (c) => {
    const userId = currentUserId(c);
    const { videoId } = c.req.valid("param");
    // The counter first: a position it still buffers must not bring the row back.
    await counterStub(c.env, videoId).forget(userId);
    await new HistoryRepo(c.var.services.db).remove(userId, videoId);
    return c.body(null, 204);
  });
