/**
 * Viewers' reports (issue 15, ADR 0024). A report names something the reporter can see —
 * anything else is 404, exactly as reading it would be — and a reporter has at most one open
 * report per target: a second one answers 409 `already_reported` until a moderator acts.
 */
import type { CreateReportBody, ReportDto } from "@streamline/contracts";
import type { ReportRow } from "../../db/schema.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import type { Services } from "../../lib/services.ts";
import { isSuspended } from "../../lib/suspension.ts";
import { ChannelsRepo } from "../channels/channels.repo.ts";
import { CommentsService } from "../comments/comments.service.ts";
import { canView } from "../videos/video-access.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { ModerationRepo } from "./moderation.repo.ts";

/** What a report points at once resolved: the stored id and whose content it is. */
interface ResolvedTarget {
  targetId: string;
  ownerId: string | null;
}

type Resolver = (services: Services, id: string, userId: string) => Promise<ResolvedTarget>;

const RESOLVERS: Record<CreateReportBody["targetType"], Resolver> = {
  async video({ db }, id, userId) {
    const video = await new VideosRepo(db).find(id);
    if (!video || !canView(video, userId) || (await isSuspended(db, video.ownerId))) throw notFound();
    return { targetId: video.id, ownerId: video.ownerId };
  },
  async comment(services, id, userId) {
    const { comment, video } = await new CommentsService(services).visible(id, userId);
    const hidden =
      (await isSuspended(services.db, comment.authorId)) || (await isSuspended(services.db, video.ownerId));
    if (hidden) throw notFound("comment");
    return { targetId: comment.id, ownerId: comment.authorId };
  },
  async channel({ db }, handle) {
    const channel = await new ChannelsRepo(db).findByHandle(handle.toLowerCase());
    if (!channel) throw notFound("channel");
    return { targetId: channel.userId, ownerId: channel.userId };
  },
};

export function toReportDto(r: ReportRow): ReportDto {
  return {
    id: r.id,
    targetType: r.targetType,
    targetId: r.targetId,
    reason: r.reason as ReportDto["reason"],
    details: r.details,
    status: r.status,
    createdAt: new Date(r.createdAt).toISOString(),
  };
}

export async function createReport(
  services: Services,
  reporterId: string,
  body: CreateReportBody,
  now = Date.now(),
): Promise<ReportDto> {
  const target = await RESOLVERS[body.targetType](services, body.targetId, reporterId);
  if (target.ownerId === reporterId) {
    throw new AppError(409, "own_content", "you cannot report your own content");
  }
  const row = await new ModerationRepo(services.db).insertReport(
    {
      reporterId,
      targetType: body.targetType,
      targetId: target.targetId,
      targetOwnerId: target.ownerId,
      reason: body.reason,
      details: body.details || null,
    },
    now,
  );
  if (!row) {
    throw new AppError(409, "already_reported", "you already reported this; a moderator will look at it");
  }
  return toReportDto(row);
}
