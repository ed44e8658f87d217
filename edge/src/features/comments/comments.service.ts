/**
 * Comment rules (ADR 0015): who sees which comment, who may write, edit, delete, pin and
 * approve, threading (one reply level; a reply to a reply joins the thread with an
 * @mention), the video's comments mode and the channel's blocked words.
 */
import {
  COMMENT_MAX_CHARS,
  COMMENT_PAGE_SIZE,
  type CommentDto,
  type CommentListResponse,
  type CommentSort,
} from "@streamline/contracts";
import type { CommentRow, VideoRow } from "../../db/schema.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { randomId } from "../../lib/ids.ts";
import type { Services } from "../../lib/services.ts";
import { EMAIL_UNVERIFIED_MESSAGE } from "../auth/email-verification.ts";
import { UsersRepo } from "../auth/users.repo.ts";
import { channelRefs } from "../channels/channel-refs.ts";
import { commentPosted, notifyQueue } from "../notifications/notifier.ts";
import { canView, isOwner } from "../videos/video-access.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { webhooks, webhookVideo } from "../webhooks/emit.ts";
import { matchesBlockedWord } from "./blocked-words.ts";
import { type Audience, type CommentCursor, CommentsRepo } from "./comments.repo.ts";

export const newCommentId = () => `c_${randomId(16)}`;

const CURSOR = /^(?:n|t\.(\d{1,12}))\.(\d{1,15})\.(c_[A-Za-z0-9]{16})$/;

export function parseCursor(cursor: string | undefined): CommentCursor | undefined {
  const m = cursor ? CURSOR.exec(cursor) : null;
  if (!m) return undefined;
  return { ...(m[1] ? { likes: Number(m[1]) } : {}), createdAt: Number(m[2]), id: m[3]! };
}

function cursorOf(row: CommentRow, sort: CommentSort): string {
  return sort === "top" ? `t.${row.likeCount}.${row.createdAt}.${row.id}` : `n.${row.createdAt}.${row.id}`;
}

const forbidden = (message: string) => new AppError(403, "forbidden", message);
const commentNotFound = () => notFound("comment");

/** A comment with its video, as seen by one caller. */
interface Context {
  comment: CommentRow;
  video: VideoRow;
  owner: boolean;
}

export class CommentsService {
  private readonly services: Pick<Services, "db" | "config"> & {
    env?: Pick<Env, "NOTIFY"> & Partial<Pick<Env, "WEBHOOKS">>;
  };
  private readonly repo: CommentsRepo;
  private readonly videos: VideosRepo;
  constructor(
    services: Pick<Services, "db" | "config"> & {
      env?: Pick<Env, "NOTIFY"> & Partial<Pick<Env, "WEBHOOKS">>;
    },
  ) {
    this.services = services;
    this.repo = new CommentsRepo(services.db);
    this.videos = new VideosRepo(services.db);
  }

  /** The video if the caller may see it (404 otherwise, as for every video route). */
  async video(id: string, userId: string | null): Promise<VideoRow> {
    const video = await this.videos.find(id);
    if (!video || !canView(video, userId)) throw notFound();
    return video;
  }

  /** A comment the caller may see: its video is visible, and a held one only to its author or the owner. */
  async visible(commentId: string, userId: string | null): Promise<Context> {
    const comment = await this.repo.find(commentId);
    const video = comment ? await this.videos.find(comment.videoId) : undefined;
    if (!comment || !video || !canView(video, userId)) throw commentNotFound();
    const owner = isOwner(video, userId);
    if (comment.held && !owner && comment.authorId !== userId) throw commentNotFound();
    // Comments turned off: nobody but the owner sees the old ones.
    if (video.commentsMode === "off" && !owner) throw commentNotFound();
    return { comment, video, owner };
  }

  async list(
    videoId: string,
    userId: string | null,
    sort: CommentSort,
    cursor?: string,
  ): Promise<CommentListResponse> {
    const video = await this.video(videoId, userId);
    const audience: Audience = { viewerId: userId, owner: isOwner(video, userId) };
    if (video.commentsMode === "off" && !audience.owner) return { comments: [], nextCursor: null };
    const after = parseCursor(cursor);
    const rows = await this.repo.topLevel(video.id, audience, sort, COMMENT_PAGE_SIZE, after);
    const pinned = after ? undefined : await this.repo.pinned(video.id, audience);
    const next = rows.length === COMMENT_PAGE_SIZE ? rows.at(-1) : undefined;
    return {
      comments: await this.toDtos(pinned ? [pinned, ...rows] : rows, userId),
      nextCursor: next ? cursorOf(next, sort) : null,
    };
  }

  async replies(commentId: string, userId: string | null, cursor?: string): Promise<CommentListResponse> {
    const { comment, owner } = await this.visible(commentId, userId);
    const rows = await this.repo.replies(
      comment.parentId ?? comment.id,
      { viewerId: userId, owner },
      COMMENT_PAGE_SIZE,
      parseCursor(cursor),
    );
    const next = rows.length === COMMENT_PAGE_SIZE ? rows.at(-1) : undefined;
    return { comments: await this.toDtos(rows, userId), nextCursor: next ? cursorOf(next, "newest") : null };
  }

  /** The owner's review list: held comments and replies of one video. */
  async held(videoId: string, userId: string, cursor?: string): Promise<CommentListResponse> {
    const video = await this.videos.find(videoId);
    if (!video || !isOwner(video, userId)) throw notFound();
    const rows = await this.repo.held(video.id, COMMENT_PAGE_SIZE, parseCursor(cursor));
    const next = rows.length === COMMENT_PAGE_SIZE ? rows.at(-1) : undefined;
    return { comments: await this.toDtos(rows, userId), nextCursor: next ? cursorOf(next, "newest") : null };
  }

  async create(videoId: string, userId: string, body: { text: string; parentId?: string | undefined }) {
    const video = await this.video(videoId, userId);
    await this.requireVerified(userId);
    requireOpen(video);
    const { parentId, text } = await this.threadOf(video, userId, body);
    const owner = isOwner(video, userId);
    const held = !owner && (video.commentsMode === "held" || (await this.blocked(video, text)));
    const row = {
      id: newCommentId(),
      videoId: video.id,
      authorId: userId,
      parentId,
      text,
      held,
      createdAt: Date.now(),
    };
    try {
      await this.repo.insert(row);
    } catch (err) {
      // The thread (or the video) was deleted meanwhile: its foreign key refused the row.
      if (String(err).includes("FOREIGN KEY")) throw commentNotFound();
      throw err;
    }
    const saved = await this.repo.find(row.id);
    if (!saved) throw commentNotFound();
    if (!held) await this.notifyPosted(saved, video, body.parentId);
    const dto = (await this.toDtos([saved], userId))[0]!;
    const queue = this.services.env?.WEBHOOKS;
    if (queue)
      await webhooks({ WEBHOOKS: queue }).emit(video.ownerId, "comment.created", {
        video: webhookVideo(video),
        comment: {
          id: saved.id,
          text: saved.text,
          parentId: saved.parentId,
          authorHandle: dto.author?.handle ?? null,
          held,
        },
      });
    return dto;
  }

  /** A visible new comment tells the author it answers, or the video's owner (ADR 0017). */
  private async notifyPosted(saved: CommentRow, video: VideoRow, answered: string | undefined) {
    if (!this.services.env) return;
    const parentAuthorId = answered ? (await this.repo.find(answered))?.authorId : null;
    await commentPosted(notifyQueue(this.services.env), {
      commentId: saved.id,
      videoId: video.id,
      authorId: saved.authorId,
      videoOwnerId: video.ownerId,
      parentAuthorId: parentAuthorId ?? null,
    });
  }

  /**
   * Where a new comment goes: top level, or the top-level thread of the comment it answers.
   * Answering a reply joins that reply's thread and mentions its author.
   */
  private async threadOf(
    video: VideoRow,
    userId: string,
    body: { text: string; parentId?: string | undefined },
  ) {
    if (!body.parentId) return { parentId: null, text: body.text };
    const { comment: parent } = await this.visible(body.parentId, userId);
    if (parent.videoId !== video.id) throw commentNotFound();
    if (parent.held)
      throw new AppError(409, "comment_held", "a comment waiting for review cannot be answered");
    if (!parent.parentId) return { parentId: parent.id, text: body.text };
    const handle = (await new UsersRepo(this.services.db).find(parent.authorId))?.handle;
    const mention = handle ? `@${handle}` : "";
    const text = !mention || body.text.startsWith(mention) ? body.text : `${mention} ${body.text}`;
    return { parentId: parent.parentId, text: text.slice(0, COMMENT_MAX_CHARS) };
  }

  async edit(commentId: string, userId: string, text: string): Promise<CommentDto> {
    const { comment, video, owner } = await this.visible(commentId, userId);
    if (comment.authorId !== userId) throw forbidden("only its author may edit a comment");
    requireOpen(video);
    await this.repo.editText(comment.id, text, Date.now());
    // An edit cannot smuggle a blocked word past review: the comment goes back to held.
    if (!comment.held && !owner && (await this.blocked(video, text))) await this.repo.setHeld(comment, true);
    const saved = await this.repo.find(comment.id);
    if (!saved) throw commentNotFound();
    return (await this.toDtos([saved], userId))[0]!;
  }

  /** Its author, or the video's owner, may delete a comment (a thread goes with its replies). */
  async remove(commentId: string, userId: string): Promise<void> {
    const { comment, owner } = await this.visible(commentId, userId);
    if (comment.authorId !== userId && !owner) {
      throw forbidden("only its author or the video's owner may delete a comment");
    }
    await this.repo.delete(comment);
  }

  async pin(commentId: string, userId: string, pinned: boolean): Promise<CommentDto> {
    const { comment, video, owner } = await this.visible(commentId, userId);
    if (!owner) throw forbidden("only the video's owner may pin a comment");
    if (pinned && comment.parentId)
      throw new AppError(409, "not_top_level", "only a top-level comment can be pinned");
    if (pinned && comment.held)
      throw new AppError(409, "comment_held", "approve the comment before pinning it");
    if (pinned) await this.repo.pin(video.id, comment.id);
    else await this.repo.unpin(comment.id);
    return this.dtoOf(comment.id, userId);
  }

  async approve(commentId: string, userId: string): Promise<CommentDto> {
    const { comment, video, owner } = await this.visible(commentId, userId);
    if (!owner) throw forbidden("only the video's owner may approve a comment");
    await this.repo.setHeld(comment, false);
    // A held reply becomes visible only now, so its thread's author hears of it now. A
    // held top-level comment tells nobody: the owner, its only audience, just approved it.
    if (comment.held && comment.parentId) await this.notifyPosted(comment, video, comment.parentId);
    return this.dtoOf(comment.id, userId);
  }

  async like(commentId: string, userId: string, liked: boolean) {
    const { comment, video } = await this.visible(commentId, userId);
    requireOpen(video);
    if (comment.held) throw new AppError(409, "comment_held", "a comment waiting for review cannot be liked");
    return { likeCount: await this.repo.like(comment.id, userId, liked), liked };
  }

  blockedWords(userId: string): Promise<string[]> {
    return this.repo.blockedWords(userId);
  }

  async setBlockedWords(userId: string, words: string[]): Promise<string[]> {
    await this.repo.setBlockedWords(userId, words);
    return words;
  }

  /** Always on for comments, whatever REQUIRE_EMAIL_VERIFICATION says for uploads (ADR 0015). */
  private async requireVerified(userId: string): Promise<void> {
    const user = await new UsersRepo(this.services.db).find(userId);
    if (!user || user.emailVerifiedAt === null) {
      throw new AppError(403, "email_unverified", EMAIL_UNVERIFIED_MESSAGE);
    }
  }

  private async blocked(video: VideoRow, text: string): Promise<boolean> {
    if (!video.ownerId) return false;
    return matchesBlockedWord(text, await this.repo.blockedWords(video.ownerId));
  }

  private async dtoOf(id: string, userId: string): Promise<CommentDto> {
    const row = await this.repo.find(id);
    if (!row) throw commentNotFound();
    return (await this.toDtos([row], userId))[0]!;
  }

  /** DTOs for one caller: authors' channels in one query, the caller's likes in another. */
  private async toDtos(rows: CommentRow[], userId: string | null): Promise<CommentDto[]> {
    const authors = await channelRefs(
      this.services,
      rows.map((r) => r.authorId),
    );
    const liked = userId
      ? await this.repo.likedBy(
          userId,
          rows.map((r) => r.id),
        )
      : new Set<string>();
    return rows.map((r) => ({
      id: r.id,
      author: authors.get(r.authorId) ?? null,
      text: r.text,
      createdAt: new Date(r.createdAt).toISOString(),
      ...(r.editedAt !== null ? { editedAt: new Date(r.editedAt).toISOString() } : {}),
      likeCount: r.likeCount,
      replyCount: r.replyCount,
      pinned: r.pinned,
      ...(r.held ? { held: true } : {}),
      ...(r.parentId ? { parentId: r.parentId } : {}),
      ...(userId ? { liked: liked.has(r.id), mine: r.authorId === userId } : {}),
    }));
  }
}

/** Comments turned off: nobody may add, edit or like one (403 `comments_disabled`). */
function requireOpen(video: VideoRow): void {
  if (video.commentsMode === "off") {
    throw new AppError(403, "comments_disabled", "comments are turned off for this video");
  }
}
