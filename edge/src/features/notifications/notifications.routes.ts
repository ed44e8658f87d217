/**
 * `GET /api/notifications`, `POST /api/notifications/read` and the live socket
 * `GET /ws/notifications?ticket=…` (ticket from `POST /api/ws-ticket { scope: "notifications" }`).
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  MarkReadBody,
  MarkReadResponse,
  NotificationsQuery,
  NotificationsResponse,
  NotificationWsMessage,
} from "@streamline/contracts";
import { AppError } from "../../lib/errors.ts";
import { BEARER, errorDoc, errors, json, jsonBody, openApiRouter } from "../../lib/openapi.ts";
import { IMAGE_SIG, USER_ID, VIDEO_ID } from "../../lib/openapi-examples.ts";
import { isSuspended } from "../../lib/suspension.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { requireAuth } from "../auth/auth.middleware.ts";
import { readNotificationsTicket } from "./notification-tickets.ts";
import { NotificationsRepo } from "./notifications.repo.ts";
import { NotificationsService } from "./notifications.service.ts";
import { HUB_UNREAD_HEADER, HUB_USER_HEADER, hubStub } from "./notifications-hub.ts";

const tags = ["notifications"];
const NOTIFICATION = {
  id: "n_4Fh8Kd2Lq9Wm3Xz7",
  type: "new_video",
  createdAt: "2026-11-23T10:06:00.000Z",
  read: false,
  actor: {
    handle: "ana",
    displayName: "Ana Lima",
    avatarUrl: `/i/${IMAGE_SIG}/channels/${USER_ID}/avatar/a_Qw3Er5Ty7Ui9Op1As2Df/88.jpg`,
  },
  video: { id: VIDEO_ID, title: "Sunset over the bay" },
};

const list = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "The caller's notifications, newest first, with the unread count",
  security: BEARER,
  middleware: [requireAuth()] as const,
  request: { query: NotificationsQuery },
  responses: {
    200: json(NotificationsResponse, "One page", {
      notifications: [NOTIFICATION],
      unreadCount: 3,
      nextCursor: null,
    }),
    ...errors(400, 401),
  },
});

const read = createRoute({
  method: "post",
  path: "/read",
  tags,
  summary: "Mark notifications read: some (`ids`) or `all`",
  description: "Ids of other users' notifications change nothing. Rate limited with RL_EDITS.",
  security: BEARER,
  middleware: [requireAuth(), rateLimit("RL_EDITS", (c) => c.var.userId)] as const,
  request: { body: jsonBody(MarkReadBody, { ids: [NOTIFICATION.id] }) },
  responses: {
    200: json(MarkReadResponse, "The unread count after", { unreadCount: 2 }),
    ...errors(400, 401, 413, 415, 429),
  },
});

export const notificationsRoutes = openApiRouter()
  .openapi(list, async (c) =>
    c.json(await new NotificationsService(c.var.services).list(currentUserId(c), c.req.valid("query")), 200),
  )
  .openapi(read, async (c) =>
    c.json(
      await new NotificationsService(c.var.services).markRead(currentUserId(c), c.req.valid("json")),
      200,
    ),
  );

const TICKET = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1XzdoR2YzRHNBMXFXZTlyVHkifQ.c2lnbmF0dXJl";

const socket = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "WebSocket: the caller's notifications, live",
  description:
    'Upgrade with a ticket from `POST /api/ws-ticket { "scope": "notifications" }`. The server sends ' +
    "`NotificationWsMessage` JSON frames: `unread` on connect and when the count changes, " +
    "`notification` for each new one; the client may only send `ping` (answered `pong`).",
  request: {
    query: z.object({ ticket: z.string().optional().meta({ example: TICKET }) }),
    headers: z.object({ upgrade: z.string().optional().meta({ example: "websocket" }) }),
  },
  responses: {
    101: json(NotificationWsMessage, "Switching to WebSocket; frames are `NotificationWsMessage` JSON", {
      type: "notification",
      notification: NOTIFICATION,
      unreadCount: 4,
    }),
    401: errorDoc(401, {
      code: "invalid_ticket",
      message: "missing, expired or foreign ticket; ask POST /api/ws-ticket",
    }),
    ...errors(426),
  },
});

export const notificationsWsRoutes = openApiRouter().openapi(socket, async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new AppError(426, "upgrade_required", "this endpoint speaks WebSocket");
  }
  const secret = c.var.services.config.JWT_SECRET;
  const ticket = await readNotificationsTicket(secret, c.req.valid("query").ticket ?? "");
  // A ticket outlives the suspension that revoked its sessions by up to a minute: not its socket.
  if (!ticket || (await isSuspended(c.var.services.db, ticket.userId)))
    throw new AppError(401, "invalid_ticket", "missing, expired or foreign ticket; ask POST /api/ws-ticket");
  const hub = hubStub(c.env, ticket.userId);
  if (!(await hub.redeemTicket(ticket.jti, ticket.expiresAt))) {
    throw new AppError(401, "ticket_used", "tickets are single-use; ask POST /api/ws-ticket for another");
  }
  const unread = await new NotificationsRepo(c.var.services.db).unreadCount(ticket.userId);
  // Whose socket this is comes from the ticket, never from the client: both headers are overwritten.
  const headers = new Headers(c.req.raw.headers);
  headers.set(HUB_USER_HEADER, ticket.userId);
  headers.set(HUB_UNREAD_HEADER, String(unread));
  return (await hub.fetch(new Request(c.req.raw, { headers }))) as never;
});
