/**
 * The moderators' actions (issue 15, ADR 0024), one function each, dispatched by name:
 * dismiss, take a video down, remove a comment, suspend a user — and the undoing of the two
 * reversible ones. Each writes its audit row in the same D1 batch as its own change and the
 * reports it closes; the comment removal (which reuses the comments feature's counted delete)
 * and the session revocations follow the batch, so nothing is ever done unaudited.
 */
import type { ModerationAction } from "@streamline/contracts";
import type { VideoRow } from "../../db/schema.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import type { Services } from "../../lib/services.ts";
import { markSessionRevoked } from "../auth/session-status.ts";
import { SessionsRepo } from "../auth/sessions.repo.ts";
import { UsersRepo } from "../auth/users.repo.ts";
import { CommentsRepo } from "../comments/comments.repo.ts";
import { hubStub } from "../notifications/notifications-hub.ts";
import { notifyQueue, notifyUser } from "../notifications/notifier.ts";
import { roomStub } from "../progress/room-notifier.ts";
import { rememberAccess } from "../videos/access-epoch.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { ModerationRepo, type Target } from "./moderation.repo.ts";
import { isStaff } from "./staff.ts";

export interface ActionContext {
  services: Services;
  actor: { id: string; handle: string };
  target: Target;
  reportId: string | null;
  note: string;
  now: number;
}

type Action = (ctx: ActionContext) => Promise<number>;

const quote = (s: string) => `“${s.length > 80 ? `${s.slice(0, 79)}…` : s}”`;

function auditOf(
  ctx: ActionContext,
  action: string,
  snapshot: string | null = null,
  target: { targetType: string; targetId: string } = ctx.target,
) {
  return {
    actorId: ctx.actor.id,
    actorHandle: ctx.actor.handle,
    action,
    targetType: target.targetType,
    targetId: target.targetId,
    reportId: ctx.reportId,
    note: ctx.note,
    snapshot,
  };
}

/** The reports an action closes: every open one on the reported target (none for a restore). */
const closes = (ctx: ActionContext): Target | null => (ctx.reportId ? ctx.target : null);

const wrongTarget = (action: string, type: string) =>
  new AppError(409, "wrong_target", `${action} does not apply to a ${type}`);

async function videoOf(ctx: ActionContext): Promise<VideoRow> {
  if (ctx.target.targetType !== "video") throw wrongTarget("take_down", ctx.target.targetType);
  const video = await new VideosRepo(ctx.services.db).find(ctx.target.targetId);
  if (!video) throw new AppError(409, "target_gone", "the video no longer exists");
  return video;
}

const dismiss: Action = (ctx) =>
  new ModerationRepo(ctx.services.db).commit([], auditOf(ctx, "dismiss"), ctx.now, closes(ctx));

const takeDown: Action = async (ctx) => {
  const video = await videoOf(ctx);
  if (video.takenDownAt) throw new AppError(409, "already_taken_down", "the video is already taken down");
  const repo = new ModerationRepo(ctx.services.db);
  const closed = await repo.commit(
    [repo.takeDownStep(video.id, ctx.note, ctx.now)],
    auditOf(ctx, "take_down", video.title),
    ctx.now,
    closes(ctx),
  );
  const { ACCESS_EPOCH_CACHE_SECONDS } = ctx.services.config;
  rememberAccess(
    video.id,
    { ...video, accessEpoch: video.accessEpoch + 1 },
    ACCESS_EPOCH_CACHE_SECONDS * 1000,
  );
  if (video.ownerId) {
    await notifyUser(notifyQueue(ctx.services.env), {
      userId: video.ownerId,
      kind: "moderation",
      videoId: video.id,
      detail: `Your video ${quote(video.title)} was taken down: ${ctx.note}`,
    });
  }
  return closed;
};

const removeComment: Action = async (ctx) => {
  if (ctx.target.targetType !== "comment") throw wrongTarget("remove_comment", ctx.target.targetType);
  const comments = new CommentsRepo(ctx.services.db);
  const comment = await comments.find(ctx.target.targetId);
  if (!comment) throw new AppError(409, "target_gone", "the comment no longer exists");
  const video = await new VideosRepo(ctx.services.db).find(comment.videoId);
  const closed = await new ModerationRepo(ctx.services.db).commit(
    [],
    auditOf(ctx, "remove_comment", comment.text),
    ctx.now,
    closes(ctx),
  );
  await comments.delete(comment);
  const why = ctx.note ? `: ${ctx.note}` : " by a moderator";
  await notifyUser(notifyQueue(ctx.services.env), {
    userId: comment.authorId,
    kind: "moderation",
    detail: `Your comment ${quote(comment.text)} on ${quote(video?.title ?? "a video")} was removed${why}`,
  });
  return closed;
};

/** The owner of the reported content: a video's or comment's author, or the channel itself. */
async function ownerOf(ctx: ActionContext): Promise<string> {
  const { db } = ctx.services;
  const { targetType, targetId } = ctx.target;
  if (targetType === "channel") return targetId;
  const owner =
    targetType === "video"
      ? (await new VideosRepo(db).find(targetId))?.ownerId
      : (await new CommentsRepo(db).find(targetId))?.authorId;
  if (!owner) throw new AppError(409, "target_gone", `the ${targetType} no longer exists`);
  return owner;
}

export async function suspendUser(ctx: ActionContext, userId: string): Promise<number> {
  const { db } = ctx.services;
  const user = await new UsersRepo(db).find(userId);
  if (!user) throw notFound("user");
  if (user.id === ctx.actor.id) throw new AppError(409, "self", "you cannot suspend yourself");
  if (user.suspendedAt) throw new AppError(409, "already_suspended", "the account is already suspended");
  if (await isStaff(db, user.id)) {
    throw new AppError(409, "staff_target", "moderators and admins are not suspended here; ask an operator");
  }
  const repo = new ModerationRepo(db);
  const entry = auditOf(ctx, "suspend_user", `@${user.handle}`, { targetType: "user", targetId: user.id });
  const closed = await repo.commit(
    repo.suspendSteps(user.id, ctx.note, ctx.now),
    entry,
    ctx.now,
    closes(ctx),
  );
  await revokeAllSessions(ctx.services, user.id, ctx.now);
  await closeLiveSockets(ctx.services, user.id);
  return closed;
}

/** Rooms told at once: a channel of thousands of videos goes in waves, not one burst. */
const ROOMS_AT_ONCE = 25;

/**
 * A suspended user's live sockets close (issue 15): their notification sockets, and every
 * socket on their videos' progress rooms — their own, and other people's watching a video
 * that is now hidden. The ws routes refuse new ones while the suspension lasts. Sockets the
 * user holds on other people's videos' rooms are not found here (nothing indexes them); they
 * carry only that public video's progress and end with the user's signed-out page.
 */
async function closeLiveSockets(services: Services, userId: string): Promise<void> {
  await hubStub(services.env, userId).closeAll("account suspended");
  const ids = await new ModerationRepo(services.db).videoIdsOf(userId);
  for (let i = 0; i < ids.length; i += ROOMS_AT_ONCE) {
    await Promise.all(
      ids.slice(i, i + ROOMS_AT_ONCE).map((id) => roomStub(services.env, id).ownerSuspended()),
    );
  }
}

async function revokeAllSessions(services: Services, userId: string, now: number): Promise<void> {
  const sessions = new SessionsRepo(services.db);
  // listActive pages 100 at a time; loop until none is left.
  for (
    let live = await sessions.listActive(userId, now);
    live.length;
    live = await sessions.listActive(userId, now)
  ) {
    for (const s of live) {
      await sessions.revoke(s.id, "revoked", now);
      markSessionRevoked(s.id, now);
    }
  }
}

const suspend: Action = async (ctx) => suspendUser(ctx, await ownerOf(ctx));

export const ACTIONS: Record<ModerationAction, Action> = {
  dismiss,
  take_down: takeDown,
  remove_comment: removeComment,
  suspend_user: suspend,
};

/** Undo a takedown: the video is listed again; the owner is told. */
export async function restoreVideo(ctx: ActionContext): Promise<boolean> {
  const video = await new VideosRepo(ctx.services.db).find(ctx.target.targetId);
  if (!video) throw notFound();
  if (!video.takenDownAt) return false;
  const repo = new ModerationRepo(ctx.services.db);
  await repo.commit(
    [repo.restoreVideoStep(video.id, ctx.now)],
    auditOf(ctx, "restore_video", video.title),
    ctx.now,
    null,
  );
  if (video.ownerId) {
    await notifyUser(notifyQueue(ctx.services.env), {
      userId: video.ownerId,
      kind: "moderation",
      videoId: video.id,
      detail: `Your video ${quote(video.title)} was restored: ${ctx.note}`,
    });
  }
  return true;
}

/** Undo a suspension: sign-in works again and the user's content is visible again. */
export async function unsuspendUser(ctx: ActionContext): Promise<boolean> {
  const user = await new UsersRepo(ctx.services.db).find(ctx.target.targetId);
  if (!user) throw notFound("user");
  if (!user.suspendedAt) return false;
  const repo = new ModerationRepo(ctx.services.db);
  await repo.commit(
    [repo.unsuspendStep(user.id, ctx.now)],
    auditOf(ctx, "unsuspend_user", `@${user.handle}`, { targetType: "user", targetId: user.id }),
    ctx.now,
    null,
  );
  return true;
}
