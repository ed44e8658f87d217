/**
 * Reading notifications and marking them read (ADR 0017). The unread count travels with
 * every answer; marking read also tells the user's NotificationsHub, so every open tab's
 * badge follows.
 */
import type {
  MarkReadBody,
  NotificationDto,
  NotificationsQuery,
  NotificationsResponse,
} from "@streamline/contracts";
import type { Services } from "../../lib/services.ts";
import { channelRefs } from "../channels/channel-refs.ts";
import { NotificationsRepo, type NotificationView } from "./notifications.repo.ts";
import { hubStub } from "./notifications-hub.ts";

const EXCERPT_CHARS = 140;

export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS - 1)}…` : flat;
}

/** Rows → DTOs with one query for every actor's channel. */
export async function toNotificationDtos(
  services: Pick<Services, "db" | "config">,
  rows: NotificationView[],
): Promise<NotificationDto[]> {
  const actors = await channelRefs(
    services,
    rows.map((r) => r.actorUserId),
  );
  return rows.map((r) => {
    const actor = r.actorUserId ? actors.get(r.actorUserId) : undefined;
    return {
      id: r.id,
      type: r.type,
      createdAt: new Date(r.createdAt).toISOString(),
      read: r.readAt !== null,
      ...(actor ? { actor } : {}),
      ...(r.videoId && r.videoTitle !== null ? { video: { id: r.videoId, title: r.videoTitle } } : {}),
      ...(r.commentId && r.commentText !== null
        ? { comment: { id: r.commentId, excerpt: excerpt(r.commentText) } }
        : {}),
      ...(r.detail ? { detail: r.detail } : {}),
    };
  });
}

export class NotificationsService {
  private readonly repo: NotificationsRepo;
  private readonly services: Pick<Services, "db" | "config" | "env">;
  private readonly now: () => number;
  constructor(services: Pick<Services, "db" | "config" | "env">, now: () => number = Date.now) {
    this.services = services;
    this.repo = new NotificationsRepo(services.db);
    this.now = now;
  }

  async list(userId: string, q: NotificationsQuery): Promise<NotificationsResponse> {
    const after = q.cursor ? cursorOf(q.cursor) : undefined;
    const [rows, unreadCount] = await Promise.all([
      this.repo.list(userId, { unread: q.unread, limit: q.limit, ...(after ? { after } : {}) }),
      this.repo.unreadCount(userId),
    ]);
    const last = rows.length === q.limit ? rows.at(-1) : undefined;
    return {
      notifications: await toNotificationDtos(this.services, rows),
      unreadCount,
      nextCursor: last ? `${last.createdAt}.${last.id}` : null,
    };
  }

  async markRead(userId: string, body: MarkReadBody): Promise<{ unreadCount: number }> {
    await this.repo.markRead(userId, body.all ? "all" : (body.ids ?? []), this.now());
    const unreadCount = await this.repo.unreadCount(userId);
    if (await this.repo.isOnline(userId)) await hubStub(this.services.env, userId).setUnread(unreadCount);
    return { unreadCount };
  }
}

function cursorOf(cursor: string) {
  const dot = cursor.indexOf(".");
  return { at: Number(cursor.slice(0, dot)), id: cursor.slice(dot + 1) };
}
