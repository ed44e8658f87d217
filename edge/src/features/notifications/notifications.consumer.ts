/**
 * The `streamline-notifications` consumer (ADR 0017). A `video_published` message fans out
 * in set-based chunks (FANOUT_CHUNK rows per INSERT … SELECT), then enqueues `push`
 * messages for the subscribers online now (≤ 90 each, so one invocation stays well inside
 * its subrequest budget) and `mail_new_video` messages for the opted-in. Every step is
 * idempotent, so a redelivered message is harmless.
 */
import { NotificationJob } from "@streamline/contracts";
import { errorMessage, log } from "../../lib/log.ts";
import type { Services } from "../../lib/services.ts";
import { mailerFor } from "../mail/mailer.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { commentReplyMail, newVideoMail } from "./notification-mails.ts";
import { MAX_IDS_PER_STATEMENT, NotificationsRepo } from "./notifications.repo.ts";
import { excerpt, toNotificationDtos } from "./notifications.service.ts";
import { hubStub } from "./notifications-hub.ts";

export const NOTIFY_QUEUE_NAME = "streamline-notifications";

type Deps = Pick<Services, "db" | "config" | "env">;
type Job<T extends NotificationJob["type"]> = Extract<NotificationJob, { type: T }>;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function sendAll(deps: Deps, messages: NotificationJob[]) {
  for (const batch of chunks(messages, 100)) {
    await deps.env.NOTIFY.sendBatch(batch.map((body) => ({ body, contentType: "json" as const })));
  }
}

/** Inserts every subscriber's `new_video` row; returns how many statements it took. */
export async function fanOut(deps: Deps, videoId: string, channelId: string, now = Date.now()) {
  const repo = new NotificationsRepo(deps.db);
  let after: string | null = "";
  let statements = 0;
  while (after !== null) {
    after = await repo.fanOutChunk(videoId, channelId, after, now);
    statements++;
  }
  return statements;
}

/**
 * The naive baseline (NOTIFICATIONS_FANOUT=per_subscriber, bench only): one INSERT and, for
 * those online, one push per subscriber, in this invocation.
 */
export async function fanOutPerSubscriber(deps: Deps, videoId: string, channelId: string, now: number) {
  const repo = new NotificationsRepo(deps.db);
  const online = new Set(await repo.onlineSubscribers(channelId));
  for (const userId of await repo.subscriberIds(channelId)) {
    const row = await repo.insertOne(
      { userId, type: "new_video", actorUserId: channelId, videoId, commentId: null },
      now,
    );
    if (!row || !online.has(userId)) continue;
    const view = await repo.find(row.id);
    const [dto] = view ? await toNotificationDtos(deps, [view]) : [];
    if (dto) await hubStub(deps.env, userId).push(dto, await repo.unreadCount(userId));
  }
}

async function videoPublished(deps: Deps, job: Job<"video_published">) {
  const video = await new VideosRepo(deps.db).find(job.videoId);
  if (!video?.ownerId || video.visibility !== "public" || video.status !== "ready" || !video.publishedAt)
    return;
  const started = Date.now();
  if (deps.config.NOTIFICATIONS_FANOUT === "per_subscriber") {
    await fanOutPerSubscriber(deps, video.id, video.ownerId, video.publishedAt);
    log.info("notifications.fanout", { videoId: video.id, mode: "per_subscriber", ms: Date.now() - started });
    return;
  }
  const statements = await fanOut(deps, video.id, video.ownerId, video.publishedAt);
  log.info("notifications.fanout", {
    videoId: video.id,
    mode: "batched",
    statements,
    ms: Date.now() - started,
  });
  const repo = new NotificationsRepo(deps.db);
  const origin = job.origin ? { origin: job.origin } : {};
  const online = await repo.onlineSubscribers(video.ownerId);
  const mail = await repo.mailRecipients(video.ownerId);
  await sendAll(deps, [
    ...chunks(online, MAX_IDS_PER_STATEMENT).map((userIds) => ({
      type: "push" as const,
      videoId: video.id,
      userIds,
    })),
    ...chunks(mail, MAX_IDS_PER_STATEMENT).map((userIds) => ({
      type: "mail_new_video" as const,
      videoId: video.id,
      userIds,
      ...origin,
    })),
  ]);
}

/** Each user's notification of the video, with their exact unread count, to their hub. */
async function push(deps: Deps, job: Job<"push">) {
  const repo = new NotificationsRepo(deps.db);
  const [rows, counts] = await Promise.all([
    repo.forVideo(job.videoId, job.userIds),
    repo.unreadCounts(job.userIds),
  ]);
  const dtos = await toNotificationDtos(deps, rows);
  await Promise.all(
    rows.map((row, i) => hubStub(deps.env, row.userId).push(dtos[i]!, counts.get(row.userId) ?? 0)),
  );
}

function linkTo(deps: Deps, origin: string | undefined, path: string) {
  return `${origin ?? deps.config.SITE_ORIGIN[0] ?? ""}${path}`;
}

async function mailNewVideo(deps: Deps, job: Job<"mail_new_video">) {
  const video = await new VideosRepo(deps.db).find(job.videoId);
  if (!video?.ownerId || video.visibility !== "public") return;
  const repo = new NotificationsRepo(deps.db);
  const [recipients, [actor]] = await Promise.all([
    repo.recipients(job.userIds),
    toNotificationDtos(deps, [{ ...EMPTY_VIEW, actorUserId: video.ownerId }]),
  ]);
  const mailer = mailerFor(deps.config);
  const link = linkTo(deps, job.origin, `/watch/${video.id}`);
  const channel = actor?.actor?.displayName ?? "A channel you follow";
  for (const r of recipients) await mailer.send(newVideoMail(r.email, channel, video.title, link));
}

const EMPTY_VIEW = {
  id: "",
  userId: "",
  type: "new_video" as const,
  actorUserId: null,
  videoId: null,
  commentId: null,
  detail: null,
  createdAt: 0,
  readAt: null,
  videoTitle: null,
  commentText: null,
};

async function single(deps: Deps, job: Job<"single">) {
  const repo = new NotificationsRepo(deps.db);
  const { kind: type, userId, actorUserId, videoId, commentId, detail } = job;
  const row = await repo.insertOne({ userId, type, actorUserId, videoId, commentId, detail }, Date.now());
  if (!row) return;
  const view = await repo.find(row.id);
  if (!view) return;
  const [dto] = await toNotificationDtos(deps, [view]);
  if (dto && (await repo.isOnline(userId)))
    await hubStub(deps.env, userId).push(dto, await repo.unreadCount(userId));
  if (type !== "comment_reply" || !dto) return;
  const [recipient] = await repo.recipients([userId]);
  if (!recipient) return;
  const who = dto.actor?.displayName ?? "Someone";
  const link = linkTo(deps, job.origin, `/watch/${videoId}`);
  await mailerFor(deps.config).send(
    commentReplyMail(recipient.email, who, excerpt(view.commentText ?? ""), link),
  );
}

const HANDLERS: { [T in NotificationJob["type"]]: (deps: Deps, job: Job<T>) => Promise<void> } = {
  video_published: videoPublished,
  push,
  single,
  mail_new_video: mailNewVideo,
};

export async function handleNotificationJob(deps: Deps, job: NotificationJob): Promise<void> {
  await (HANDLERS[job.type] as (deps: Deps, job: NotificationJob) => Promise<void>)(deps, job);
}

/**
 * Messages are independent (each is acked or retried on its own), so a batch runs them
 * concurrently: a batch of live pushes no longer waits on each other's Durable Object calls.
 */
export async function consumeNotifications(batch: MessageBatch<unknown>, deps: Deps): Promise<void> {
  await Promise.all(batch.messages.map((message) => consumeOne(message, deps)));
}

async function consumeOne(message: Message<unknown>, deps: Deps): Promise<void> {
  const parsed = NotificationJob.safeParse(message.body);
  if (!parsed.success) {
    log.error("dropping a malformed notification message", { error: parsed.error.message });
    message.ack();
    return;
  }
  try {
    await handleNotificationJob(deps, parsed.data);
    message.ack();
  } catch (err) {
    log.error("notification failed; retrying", { type: parsed.data.type, error: errorMessage(err) });
    message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
  }
}
