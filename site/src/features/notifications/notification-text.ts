/** What the bell says for each notification type, and where clicking it goes (pure, unit-tested). */
import type { NotificationDto } from "../../lib/api.ts";

export function notificationText(n: NotificationDto): string {
  const who = n.actor?.displayName ?? "Someone";
  const title = n.video?.title ?? "a video";
  const said = n.comment ? `: “${n.comment.excerpt}”` : "";
  switch (n.type) {
    case "new_video":
      return `${who} uploaded ${title}`;
    case "comment_reply":
      return `${who} replied to your comment${said}`;
    case "video_comment":
      return `${who} commented on ${title}${said}`;
    case "video_ready":
      return `Your video ${title} is ready to watch`;
    case "video_failed":
      return `Your video ${title} could not be processed`;
    case "moderation":
      return n.detail ?? `A moderator acted on ${n.video ? title : "your content"}`;
  }
}

export function notificationHref(n: NotificationDto): string {
  if ((n.type === "video_failed" || n.type === "moderation") && n.video)
    return `/studio/${encodeURIComponent(n.video.id)}`;
  if (n.video) return `/watch/${encodeURIComponent(n.video.id)}`;
  return "/";
}

/** "9+" style badge text; empty when nothing is unread. */
export function badgeText(unread: number): string {
  if (unread <= 0) return "";
  return unread > 99 ? "99+" : String(unread);
}
