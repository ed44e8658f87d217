/**
 * Live progress over WebSockets: `POST /api/ws-ticket { videoId }` → `{ ticket }`, then
 * `GET /ws/videos/:id?ticket=…` upgrades into the video's VideoRoom.
 */
import { VideoId } from "@streamline/contracts";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../app-env.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { jsonBody, parseParam } from "../../lib/validate.ts";
import { optionalAuth } from "../auth/auth.middleware.ts";
import { canView } from "../videos/video-access.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { roomStub } from "./room-notifier.ts";
import { issueTicket, readTicket } from "./ws-tickets.ts";

const TicketBody = z.object({ videoId: VideoId });

export const ticketRoutes = new Hono<AppEnv>().post("/", optionalAuth(), async (c) => {
  const { videoId } = await jsonBody(c, TicketBody);
  const video = await new VideosRepo(c.var.services.db).find(videoId);
  // Same visibility as metadata: a private video's progress is its owner's business.
  if (!video || !canView(video, c.var.userId)) throw notFound();
  return c.json(await issueTicket(c.var.services.config.JWT_SECRET, videoId, c.var.userId ?? null), 201);
});

export const wsRoutes = new Hono<AppEnv>().get("/videos/:id", async (c) => {
  const id = parseParam(VideoId, c.req.param("id"));
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new AppError(426, "upgrade_required", "this endpoint speaks WebSocket");
  }
  const ticket = await readTicket(c.var.services.config.JWT_SECRET, id, c.req.query("ticket") ?? "");
  if (!ticket)
    throw new AppError(401, "invalid_ticket", "missing, expired or foreign ticket; ask POST /api/ws-ticket");
  const room = roomStub(c.env, id);
  if (!(await room.redeemTicket(ticket.jti, ticket.expiresAt))) {
    throw new AppError(401, "ticket_used", "tickets are single-use; ask POST /api/ws-ticket for another");
  }
  return room.fetch(c.req.raw);
});
