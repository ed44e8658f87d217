/**
 * The Hono app: middleware, routes and the one error handler. Page requests that are not
 * API, media or WebSocket go to the Astro site Worker over the SITE service binding, so
 * the browser sees one origin.
 */
import { Hono } from "hono";
import type { AppEnv } from "./app-env.ts";
import { authRoutes } from "./features/auth/auth.routes.ts";
import { meRoutes } from "./features/auth/me.routes.ts";
import { captionsRoutes } from "./features/captions/captions.routes.ts";
import { deliveryRoutes } from "./features/delivery/delivery.routes.ts";
import { eventsRoutes } from "./features/events/events.routes.ts";
import { fleetRoutes } from "./features/fleet/fleet.routes.ts";
import { healthRoutes } from "./features/health/health.routes.ts";
import { postersRoutes } from "./features/posters/posters.routes.ts";
import { ticketRoutes, wsRoutes } from "./features/progress/progress.routes.ts";
import { sessionsRoutes } from "./features/sessions/sessions.routes.ts";
import { uploadsRoutes } from "./features/uploads/uploads.routes.ts";
import { videosRoutes } from "./features/videos/videos.routes.ts";
import { AppError, errorResponse } from "./lib/errors.ts";
import { services } from "./lib/services.ts";
import { apiBodyLimit } from "./middleware/body-limit/index.ts";
import { apiCors } from "./middleware/cors/index.ts";
import { securityHeaders } from "./middleware/security-headers/index.ts";

export const app = new Hono<AppEnv>()
  .use(async (c, next) => {
    c.set("services", services(c.env));
    await next();
  })
  .use(securityHeaders())
  .use("/api/*", apiCors())
  // Media uploads through the edge (captions, posters) carry their own, larger body limits,
  // so they are mounted before the general 64 KiB JSON cap.
  .route("/api/videos", captionsRoutes)
  .route("/api/videos", postersRoutes)
  .use("/api/*", apiBodyLimit())
  .route("/api/health", healthRoutes)
  .route("/api/auth", authRoutes)
  .route("/api/me", meRoutes)
  .route("/api/sessions", sessionsRoutes)
  .route("/api/uploads", uploadsRoutes)
  .route("/api/videos", videosRoutes)
  .route("/api/ws-ticket", ticketRoutes)
  .route("/api/admin", fleetRoutes)
  .route("/ws", wsRoutes)
  .route("/internal/transcoder", eventsRoutes)
  .route("/v", deliveryRoutes)
  .all("/api/*", () => {
    throw new AppError(404, "not_found", "no such endpoint");
  })
  .all("*", (c) => {
    if (!c.env.SITE) throw new AppError(404, "not_found", "site not deployed");
    return c.env.SITE.fetch(c.req.raw);
  })
  .onError((err, c) => errorResponse(c, err));

export type App = typeof app;
