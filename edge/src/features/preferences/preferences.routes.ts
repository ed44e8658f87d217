/** `/api/me/preferences`: the caller's settings (defaults until they change one). */
import { createRoute } from "@hono/zod-openapi";
import { PreferencesDto, UpdatePreferencesBody } from "@streamline/contracts";
import { BEARER, errors, json, jsonBody, openApiRouter } from "../../lib/openapi.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { PreferencesRepo } from "./preferences.repo.ts";

const tags = ["account"];
const EXAMPLE: PreferencesDto = {
  defaultVisibility: "unlisted",
  autoplay: true,
  emailNotifications: false,
  theme: "dark",
  historyPaused: false,
};

const get = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "The caller's preferences",
  description: "Every field has a default (public, autoplay on, mail on, system theme, history on).",
  security: BEARER,
  responses: { 200: json(PreferencesDto, "The preferences", EXAMPLE), ...errors(401) },
});

const update = createRoute({
  method: "patch",
  path: "/",
  tags,
  summary: "Change some preferences",
  description:
    "Only the fields sent change. `defaultVisibility` applies to uploads created afterwards that name no visibility. Limited per user (`RL_EDITS`).",
  security: BEARER,
  middleware: [rateLimit("RL_EDITS", (c) => c.var.userId)] as const,
  request: { body: jsonBody(UpdatePreferencesBody, { theme: "light", autoplay: false }) },
  responses: {
    200: json(PreferencesDto, "The preferences after the change", EXAMPLE),
    ...errors(400, 401, 413, 415, 429),
  },
});

const router = openApiRouter();
router.use(requireAuth(), async (c, next) => {
  await next();
  c.header("cache-control", "private, no-store");
});

export const preferencesRoutes = router
  .openapi(get, async (c) => c.json(await new PreferencesRepo(c.var.services.db).get(currentUserId(c)), 200))
  .openapi(update, async (c) =>
    c.json(await new PreferencesRepo(c.var.services.db).update(currentUserId(c), c.req.valid("json")), 200),
  );
