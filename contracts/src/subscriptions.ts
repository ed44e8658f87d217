/**
 * Subscriptions, the subscription feed and notifications (ADR 0017): request and response
 * shapes, the notifications WebSocket's frames and the notifications queue's messages.
 */
import { z } from "zod";
import { VideoDto } from "./api.ts";
import { ChannelRef } from "./channel-ref.ts";

export const FEED_PAGE_SIZE = 24;
export const NOTIFICATION_PAGE_SIZE = 20;
export const SUBSCRIPTION_PAGE_SIZE = 50;
/** `POST /api/notifications/read { ids }`: at most this many at once. */
export const NOTIFICATION_READ_MAX_IDS = 100;

/** `PUT|DELETE /api/channels/:handle/subscription` → the channel's count and the caller's state. */
export const SubscriptionState = z.object({
  subscribed: z.boolean(),
  subscriberCount: z.number().int().nonnegative(),
});
export type SubscriptionState = z.infer<typeof SubscriptionState>;

/** Opaque keyset cursors: `<ms>.<id>` of the last item. */
const Cursor = (id: RegExp) =>
  z
    .string()
    .max(80)
    .regex(new RegExp(`^\\d{1,15}\\.${id.source}$`), "not a cursor from nextCursor");
export const FEED_CURSOR = /v_[A-Za-z0-9]{16}/;
export const SUBSCRIPTION_CURSOR = /[A-Za-z0-9_-]{1,64}/;
export const NOTIFICATION_ID = /n_[A-Za-z0-9]{16}/;

export const FeedQuery = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(FEED_PAGE_SIZE),
  cursor: Cursor(FEED_CURSOR).optional(),
});
export type FeedQuery = z.infer<typeof FeedQuery>;

export const FeedResponse = z.object({ videos: z.array(VideoDto), nextCursor: z.string().nullable() });
export type FeedResponse = z.infer<typeof FeedResponse>;

export const SubscriptionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(SUBSCRIPTION_PAGE_SIZE),
  cursor: Cursor(SUBSCRIPTION_CURSOR).optional(),
});
export type SubscriptionsQuery = z.infer<typeof SubscriptionsQuery>;

export const SubscriptionDto = z.object({
  channel: ChannelRef.extend({ subscriberCount: z.number().int().nonnegative() }),
  subscribedAt: z.string(),
});
export type SubscriptionDto = z.infer<typeof SubscriptionDto>;

export const SubscriptionsResponse = z.object({
  subscriptions: z.array(SubscriptionDto),
  nextCursor: z.string().nullable(),
});
export type SubscriptionsResponse = z.infer<typeof SubscriptionsResponse>;

export const NotificationType = z.enum([
  "new_video",
  "comment_reply",
  "video_comment",
  "video_ready",
  "video_failed",
  "moderation",
]);
export type NotificationType = z.infer<typeof NotificationType>;

export const NotificationDto = z.object({
  id: z.string(),
  type: NotificationType,
  createdAt: z.string(),
  read: z.boolean(),
  /** Who did it (the channel that published, the commenter); absent for the platform's own. */
  actor: ChannelRef.optional(),
  video: z.object({ id: z.string(), title: z.string() }).optional(),
  /** The comment (a reply, a comment on the caller's video): its id and the first 140 characters. */
  comment: z.object({ id: z.string(), excerpt: z.string() }).optional(),
  /** `moderation` only: what a moderator did and why ("Your video … was taken down: …"). */
  detail: z.string().optional(),
});
export type NotificationDto = z.infer<typeof NotificationDto>;

export const NotificationsQuery = z.object({
  /** `?unread` or `?unread=true`: only unread ones. */
  unread: z
    .enum(["", "true", "false", "1", "0"])
    .optional()
    .transform((v) => v === "" || v === "true" || v === "1"),
  limit: z.coerce.number().int().min(1).max(50).default(NOTIFICATION_PAGE_SIZE),
  cursor: Cursor(NOTIFICATION_ID).optional(),
});
export type NotificationsQuery = z.infer<typeof NotificationsQuery>;

export const NotificationsResponse = z.object({
  notifications: z.array(NotificationDto),
  unreadCount: z.number().int().nonnegative(),
  nextCursor: z.string().nullable(),
});
export type NotificationsResponse = z.infer<typeof NotificationsResponse>;

export const MarkReadBody = z
  .object({
    ids: z
      .array(z.string().regex(new RegExp(`^${NOTIFICATION_ID.source}$`), "not a notification id"))
      .min(1)
      .max(NOTIFICATION_READ_MAX_IDS)
      .optional(),
    all: z.literal(true).optional(),
  })
  .refine((b) => (b.ids ? 1 : 0) + (b.all ? 1 : 0) === 1, "send either ids or all: true");
export type MarkReadBody = z.infer<typeof MarkReadBody>;

export const MarkReadResponse = z.object({ unreadCount: z.number().int().nonnegative() });

/** Frames of `GET /ws/notifications`. */
export const NotificationWsMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("notification"), notification: NotificationDto, unreadCount: z.number().int() }),
  /** On connect and whenever the count changes without a new notification (marked read elsewhere). */
  z.object({ type: z.literal("unread"), unreadCount: z.number().int() }),
]);
export type NotificationWsMessage = z.infer<typeof NotificationWsMessage>;

/** Messages of the `streamline-notifications` queue (versioned by `type`). */
export const NotificationJob = z.discriminatedUnion("type", [
  /** A video became public and ready: notify its channel's subscribers. */
  z.object({ type: z.literal("video_published"), videoId: z.string(), origin: z.string().optional() }),
  /** One notification for one user (comments, video ready/failed). */
  z.object({
    type: z.literal("single"),
    userId: z.string(),
    kind: NotificationType,
    actorUserId: z.string().nullable(),
    videoId: z.string().nullable(),
    commentId: z.string().nullable(),
    origin: z.string().optional(),
    /** `moderation`: the sentence the recipient reads (NotificationDto.detail). */
    detail: z.string().max(2000).optional(),
  }),
  /** Push a video's `new_video` notification to these online subscribers' sockets. */
  z.object({ type: z.literal("push"), videoId: z.string(), userIds: z.array(z.string()).max(90) }),
  /** Mail about a new video to opted-in, verified subscribers (a chunk of them). */
  z.object({
    type: z.literal("mail_new_video"),
    videoId: z.string(),
    userIds: z.array(z.string()).max(90),
    origin: z.string().optional(),
  }),
]);
export type NotificationJob = z.infer<typeof NotificationJob>;
