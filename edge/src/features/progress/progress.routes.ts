/**
 * Live progress over WebSockets: `POST /api/ws-ticket { videoId }` → `{ ticket }`, then
 * `GET /ws/videos/:id?ticket=…` upgrades into the video's VideoRoom.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { VideoId, WsMessage, WsTicketBody, WsTicketResponse } from "@streamline/contracts";
import type { Database } from "../../db/client.ts";
import { clientInfo } from "../../lib/client-info.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { errorDoc, errors, json, jsonBody, OPTIONAL_BEARER, openApiRouter } from "../../lib/openapi.ts";
import { VIDEO_ID } from "../../lib/openapi-examples.ts";
import { isSuspended } from "../../lib/suspension.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { optionalAuth } from "../auth/auth.middleware.ts";
import { issueNotificationsTicket } from "../notifications/notification-tickets.ts";
import { canView, isOwner } from "../videos/video-access.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { roomStub } from "./room-notifier.ts";
import { WATCHER_HEADER } from "./watcher.ts";
import { issueTicket, readTicket } from "./ws-tickets.ts";

const tags = ["progress"];
const TICKET = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2XzNmSmsyTG1OOHBRcjVzVHUifQ.c2lnbmF0dXJl";

const ticket = createRoute({
  method: "post",
  path: "/",
  tags,
  summary: "A one-time, 60 s ticket to watch a video's progress, or the caller's notifications",
  description:
    '`{ videoId }`: the video\'s progress socket (`GET /ws/videos/:id`). `{ "scope": "notifications" }`: ' +
    "the signed-in caller's notifications socket (`GET /ws/notifications`; 401 when anonymous).",
  security: OPTIONAL_BEARER,
  middleware: [
    optionalAuth(),
    // Per user; anonymous viewers per IP (/64 for IPv6).
    rateLimit("RL_WS_TICKET", (c) =>
      c.var.userId ? `user:${c.var.userId}` : `ip:${clientInfo(c.req.raw).rateKey}`,
    ),
  ] as const,
  request: { body: jsonBody(WsTicketBody, { videoId: VIDEO_ID }) },
  responses: {
    201: json(WsTicketResponse, "The ticket", { ticket: TICKET, expiresAt: "2026-11-23T10:01:00.000Z" }),
    ...errors(400, 401, 404, 413, 415, 429),
  },
});

const watch = createRoute({
  method: "get",
  path: "/videos/{id}",
  tags,
  summary: "WebSocket: the video's live status, progress and renditions",
  description:
    "Upgrade with a ticket from `POST /api/ws-ticket`. The server sends JSON `WsMessage` frames " +
    "(first a snapshot, then live); the client may only send `ping` (answered `pong`). Close code " +
    "4404 = the video was deleted; 4403 = the video was made private and this watcher is not its " +
    "owner (do not reconnect).",
  request: {
    params: z.object({ id: VideoId.meta({ example: VIDEO_ID }) }),
    query: z.object({ ticket: z.string().optional().meta({ example: TICKET }) }),
    headers: z.object({ upgrade: z.string().optional().meta({ example: "websocket" }) }),
  },
  responses: {
    101: {
      description: "Switching to WebSocket; frames are `WsMessage` JSON",
      content: {
        "application/json": {
          schema: WsMessage,
          example: { type: "progress", stage: "encode", percent: 42 },
        },
      },
    },
    401: errorDoc(401, {
      code: "invalid_ticket",
      message: "missing, expired or foreign ticket; ask POST /api/ws-ticket",
    }),
    ...errors(404, 426),
  },
});

export const ticketRoutes = openApiRouter().openapi(ticket, async (c) => {
  const body = c.req.valid("json");
  if ("scope" in body) {
    const userId = c.var.userId;
    if (!userId) throw new AppError(401, "auth_required", "sign in to do this");
    return c.json(await issueNotificationsTicket(c.var.services.config.JWT_SECRET, userId), 201);
  }
  const { videoId } = body;
  const video = await new VideosRepo(c.var.services.db).find(videoId);
  // Same visibility as metadata: a private video's progress is its owner's business.
  if (!video || !canView(video, c.var.userId)) throw notFound();
  const watcher = {
    viewer: c.var.userId ?? null,
    owner: isOwner(video, c.var.userId),
    epoch: video.accessEpoch,
  };
  return c.json(await issueTicket(c.var.services.config.JWT_SECRET, videoId, watcher), 201);
});

/**
 * While a suspension lasts (ADR 0024) no socket opens for the suspended user (a ticket outlives
 * the revoked sessions by up to a minute), nor on their hidden videos for anyone.
 */
async function refuseSuspended(db: Database, videoId: string, viewer: string | null): Promise<void> {
  if (await isSuspended(db, viewer))
    throw new AppError(401, "invalid_ticket", "missing, expired or foreign ticket; ask POST /api/ws-ticket");
  const video = await new VideosRepo(db).find(videoId);
  if (video && (await isSuspended(db, video.ownerId))) throw notFound();
}

export const wsRoutes = openApiRouter().openapi(watch, async (c) => {
  const { id } = c.req.valid("param");
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new AppError(426, "upgrade_required", "this endpoint speaks WebSocket");
  }
  const ticket = await readTicket(c.var.services.config.JWT_SECRET, id, c.req.valid("query").ticket ?? "");
  if (!ticket)
    throw new AppError(401, "invalid_ticket", "missing, expired or foreign ticket; ask POST /api/ws-ticket");
  await refuseSuspended(c.var.services.db, id, ticket.watcher.viewer);
  const room = roomStub(c.env, id);
  if (!(await room.redeemTicket(ticket.jti, ticket.expiresAt))) {
    throw new AppError(401, "ticket_used", "tickets are single-use; ask POST /api/ws-ticket for another");
  }
  // Who is watching, from the ticket (never from the client: this header is always overwritten).
  const headers = new Headers(c.req.raw.headers);
  headers.set(WATCHER_HEADER, JSON.stringify(ticket.watcher));
  // The room answers 101 with the socket: a response the document describes but no JSON helper builds.
  return (await room.fetch(new Request(c.req.raw, { headers }))) as never;
});
