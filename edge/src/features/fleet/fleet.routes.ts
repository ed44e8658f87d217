/**
 * `GET /api/admin/fleet`: the transcoder nodes, their capacity and running jobs, as the
 * fleet's registry reports them. Admins only (role `admin` in D1); anyone else gets 404 so
 * the endpoint doesn't advertise itself.
 */
import { createRoute } from "@hono/zod-openapi";
import { FleetResponse, FleetStatus } from "@streamline/contracts";
import { AppError, notFound } from "../../lib/errors.ts";
import { BEARER, errorDoc, errors, json, openApiRouter } from "../../lib/openapi.ts";
import { TranscoderClient } from "../../lib/transcoder-client.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { hasRole } from "../auth/roles.ts";

const fleet = createRoute({
  method: "get",
  path: "/fleet",
  tags: ["admin"],
  summary: "The transcoder fleet's nodes (admins only)",
  security: BEARER,
  middleware: [requireAuth()] as const,
  responses: {
    200: json(FleetResponse, "The registry", {
      fleet: { nodes: [{ nodeId: "node-1", capacity: 4, running: [] }] },
    }),
    ...errors(401),
    404: errorDoc(404, { message: "page not found", description: "Not an admin" }),
    503: errorDoc(503, {
      code: "fleet_unavailable",
      message: "the transcoder fleet did not answer: timed out",
    }),
  },
});

export const fleetRoutes = openApiRouter().openapi(fleet, async (c) => {
  const { config, db } = c.var.services;
  if (!(await hasRole(db, currentUserId(c), "admin"))) throw notFound("page");
  let registry: FleetStatus;
  try {
    registry = FleetStatus.parse(await new TranscoderClient(config).fleet());
  } catch (err) {
    throw new AppError(
      503,
      "fleet_unavailable",
      `the transcoder fleet did not answer: ${err instanceof Error ? err.message : err}`,
      { headers: { "retry-after": "5" } },
    );
  }
  return c.json({ fleet: registry }, 200);
});
