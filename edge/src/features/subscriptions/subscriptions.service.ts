/**
 * Subscribing to channels, the caller's subscription list and the subscription feed
 * (ADR 0017). Routes are thin; this takes plain dependencies.
 */
import type {
  FeedQuery,
  FeedResponse,
  SubscriptionState,
  SubscriptionsQuery,
  SubscriptionsResponse,
} from "@streamline/contracts";
import { AppError, notFound } from "../../lib/errors.ts";
import type { Services } from "../../lib/services.ts";
import { channelRefs } from "../channels/channel-refs.ts";
import { ChannelsRepo } from "../channels/channels.repo.ts";
import { toVideoDto } from "../videos/video-dto.ts";
import { type Keyset, SubscriptionsRepo } from "./subscriptions.repo.ts";

/** `<ms>.<id>` → keyset; the query schema has checked the shape already. */
export function parseCursor(cursor: string | undefined): Keyset | undefined {
  if (!cursor) return undefined;
  const dot = cursor.indexOf(".");
  return { at: Number(cursor.slice(0, dot)), id: cursor.slice(dot + 1) };
}

export class SubscriptionsService {
  private readonly services: Pick<Services, "db" | "config">;
  private readonly repo: SubscriptionsRepo;
  private readonly now: () => number;
  constructor(services: Pick<Services, "db" | "config">, now: () => number = Date.now) {
    this.services = services;
    this.repo = new SubscriptionsRepo(services.db);
    this.now = now;
  }

  /** The channel's owner under `handle` (a given-up handle still redirecting counts), or 404. */
  private async channelId(handle: string): Promise<string> {
    const channels = new ChannelsRepo(this.services.db);
    const found = await channels.findByHandle(handle);
    if (found) return found.userId;
    const moved = await channels.redirectTarget(handle, this.now());
    if (!moved) throw notFound("channel");
    return moved;
  }

  async subscribe(userId: string, handle: string): Promise<SubscriptionState> {
    const channelId = await this.channelId(handle);
    if (channelId === userId) {
      throw new AppError(409, "cannot_subscribe_to_self", "you cannot subscribe to your own channel");
    }
    return { subscribed: true, subscriberCount: await this.repo.subscribe(userId, channelId, this.now()) };
  }

  async unsubscribe(userId: string, handle: string): Promise<SubscriptionState> {
    const channelId = await this.channelId(handle);
    return { subscribed: false, subscriberCount: await this.repo.unsubscribe(userId, channelId) };
  }

  async list(userId: string, q: SubscriptionsQuery): Promise<SubscriptionsResponse> {
    const rows = await this.repo.list(userId, q.limit, parseCursor(q.cursor));
    const refs = await channelRefs(
      this.services,
      rows.map((r) => r.channelId),
    );
    const last = rows.length === q.limit ? rows.at(-1) : undefined;
    return {
      subscriptions: rows.flatMap((r) => {
        const ref = refs.get(r.channelId);
        return ref
          ? [
              {
                channel: { ...ref, subscriberCount: r.subscriberCount },
                subscribedAt: new Date(r.createdAt).toISOString(),
              },
            ]
          : [];
      }),
      nextCursor: last ? `${last.createdAt}.${last.channelId}` : null,
    };
  }

  async feed(userId: string, q: FeedQuery): Promise<FeedResponse> {
    const rows = await this.repo.feed(userId, q.limit, parseCursor(q.cursor));
    const refs = await channelRefs(
      this.services,
      rows.map((r) => r.ownerId),
    );
    const last = rows.length === q.limit ? rows.at(-1) : undefined;
    return {
      videos: await Promise.all(
        rows.map((r) => toVideoDto(this.services, r, userId, (r.ownerId && refs.get(r.ownerId)) || null)),
      ),
      nextCursor: last ? `${last.publishedAt}.${last.id}` : null,
    };
  }
}
