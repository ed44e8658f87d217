/**
 * `GET /api/admin/fleet`: the transcoder nodes, their capacity and running jobs, as the
 * fleet's registry reports them. Admins only (`ADMIN_EMAILS`); anyone else gets 404 so
 * the endpoint doesn't advertise itself.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { TranscoderClient } from "../../lib/transcoder-client.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { UsersRepo } from "../auth/users.repo.ts";

export const fleetRoutes = new Hono<AppEnv>().get("/fleet", requireAuth(), async (c) => {
  const { config, db } = c.var.services;
  const user = await new UsersRepo(db).find(currentUserId(c));
  if (!user || !config.ADMIN_EMAILS.includes(user.email)) throw notFound("page");
  try {
    return c.json({ fleet: await new TranscoderClient(config).fleet() });
  } catch (err) {
    throw new AppError(
      503,
      "fleet_unavailable",
      `the transcoder fleet did not answer: ${err instanceof Error ? err.message : err}`,
      {
        headers: { "retry-after": "5" },
      },
    );
  }
});
