/**
 * The notifications service other features call (ADR 0017): each call enqueues one message
 * on `streamline-notifications` and returns; the consumer (notifications.consumer.ts) does
 * the writes, the pushes and the mail. A failure to enqueue is logged, never thrown: a
 * notification must not fail the upload, the comment or the cron run that caused it.
 */
import type { NotificationJob, NotificationType } from "@streamline/contracts";
import { errorMessage, log } from "../../lib/log.ts";

export interface NotifyQueue {
  send(message: NotificationJob): Promise<unknown>;
}

export function notifyQueue(env: Pick<Env, "NOTIFY">): NotifyQueue {
  return { send: (m) => env.NOTIFY.send(m, { contentType: "json" }) };
}

async function enqueue(queue: NotifyQueue, message: NotificationJob): Promise<void> {
  try {
    await queue.send(message);
  } catch (err) {
    log.error("notification not enqueued", { type: message.type, error: errorMessage(err) });
  }
}

/** A video just became public and ready (its `publishedAt` was set now): tell its subscribers. */
export function videoPublished(queue: NotifyQueue, videoId: string, origin?: string): Promise<void> {
  return enqueue(queue, { type: "video_published", videoId, ...(origin ? { origin } : {}) });
}

export interface SingleNotification {
  userId: string;
  kind: Exclude<NotificationType, "new_video">;
  actorUserId?: string | null;
  videoId?: string | null;
  commentId?: string | null;
  origin?: string;
  /** `moderation`: the sentence the recipient reads. */
  detail?: string;
}

/** One notification for one user. Nobody is notified of their own action. */
export function notifyUser(queue: NotifyQueue, n: SingleNotification): Promise<void> {
  if (n.actorUserId && n.actorUserId === n.userId) return Promise.resolve();
  return enqueue(queue, {
    type: "single",
    userId: n.userId,
    kind: n.kind,
    actorUserId: n.actorUserId ?? null,
    videoId: n.videoId ?? null,
    commentId: n.commentId ?? null,
    ...(n.origin ? { origin: n.origin } : {}),
    ...(n.detail ? { detail: n.detail } : {}),
  });
}

/**
 * After a comment is stored and visible: a reply notifies the parent's author
 * (`comment_reply`), a top-level comment the video's owner (`video_comment`).
 */
export function commentPosted(
  queue: NotifyQueue,
  c: {
    commentId: string;
    videoId: string;
    authorId: string;
    videoOwnerId: string | null;
    parentAuthorId?: string | null;
    origin?: string;
  },
): Promise<void> {
  const base = { actorUserId: c.authorId, videoId: c.videoId, commentId: c.commentId, origin: c.origin };
  if (c.parentAuthorId)
    return notifyUser(queue, { ...base, userId: c.parentAuthorId, kind: "comment_reply" });
  if (c.videoOwnerId) return notifyUser(queue, { ...base, userId: c.videoOwnerId, kind: "video_comment" });
  return Promise.resolve();
}
