/**
 * NotificationsHub: one SQLite-backed Durable Object per user (ADR 0017). It holds the user's
 * notification sockets (hibernation API: idle sockets and their pings never wake it),
 * redeems one-time tickets, and is pushed to over RPC by the notifications queue consumer
 * and the mark-read route. While it has a socket, the user is in `notification_presence`,
 * which is how the fan-out knows whom to push to.
 */
import { DurableObject } from "cloudflare:workers";
import {
  CLOSE_ACCESS_REVOKED,
  type NotificationDto,
  type NotificationWsMessage,
} from "@streamline/contracts";
import { database } from "../../db/client.ts";
import { NotificationsRepo } from "./notifications.repo.ts";

export const HUB_USER_HEADER = "x-streamline-notify-user";
export const HUB_UNREAD_HEADER = "x-streamline-unread";
const CLOSE_POLICY = 1008;

export function hubStub(env: Pick<Env, "NOTIFICATIONS_HUB">, userId: string) {
  return env.NOTIFICATIONS_HUB.get(env.NOTIFICATIONS_HUB.idFromName(userId));
}

export class NotificationsHub extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS tickets (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)",
      );
    });
  }

  /** One-time tickets: true the first time a ticket id is seen (until it expires). */
  redeemTicket(jti: string, expiresAt: number): boolean {
    this.ctx.storage.sql.exec("DELETE FROM tickets WHERE expires_at < ?", Date.now());
    const seen = this.ctx.storage.sql.exec("SELECT 1 FROM tickets WHERE jti = ?", jti).toArray().length > 0;
    if (seen) return false;
    this.ctx.storage.sql.exec("INSERT INTO tickets (jti, expires_at) VALUES (?, ?)", jti, expiresAt);
    return true;
  }

  /** A new notification: every socket gets it with the exact unread count. False when nobody listens. */
  async push(notification: NotificationDto, unreadCount: number): Promise<boolean> {
    return this.broadcast({ type: "notification", notification, unreadCount });
  }

  /** The unread count changed without a new notification (marked read in another tab). */
  async setUnread(unreadCount: number): Promise<boolean> {
    return this.broadcast({ type: "unread", unreadCount });
  }

  private async broadcast(message: NotificationWsMessage): Promise<boolean> {
    const sockets = this.ctx.getWebSockets();
    const frame = JSON.stringify(message);
    for (const ws of sockets) {
      try {
        ws.send(frame);
      } catch {
        // A socket closing mid-send is not the publisher's problem.
      }
    }
    // Nobody here (presence was stale): stop the fan-out from pushing to this user.
    if (sockets.length === 0) await this.presence(null, false);
    return sockets.length > 0;
  }

  /**
   * The user was suspended (ADR 0024; their sessions are revoked in the same action): every
   * socket closes with CLOSE_ACCESS_REVOKED and the user leaves the fan-out's presence.
   */
  async closeAll(reason: string): Promise<number> {
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) ws.close(CLOSE_ACCESS_REVOKED, reason.slice(0, 120));
    await this.presence(null, false);
    return sockets.length;
  }

  private async presence(userId: string | null, online: boolean) {
    const id = userId ?? (await this.ctx.storage.get<string>("userId"));
    if (!id) return;
    await new NotificationsRepo(database(this.env.DB)).setPresence(id, online, Date.now());
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const userId = request.headers.get(HUB_USER_HEADER);
    if (!userId) return new Response("no user", { status: 400 });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    await this.ctx.storage.put("userId", userId);
    await this.presence(userId, true);
    const unreadCount = Number(request.headers.get(HUB_UNREAD_HEADER) ?? 0);
    server.send(JSON.stringify({ type: "unread", unreadCount } satisfies NotificationWsMessage));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message !== "ping") ws.close(CLOSE_POLICY, "clients may only send ping");
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
    const open = this.ctx.getWebSockets().filter((s) => s !== ws && s.readyState === WebSocket.OPEN);
    if (open.length === 0) await this.presence(null, false);
  }
}
