/**
 * Video reads and owner actions: the video a caller may see or owns (anything else is
 * the same 404 as an id that never existed), pages of listings, edits and deletion.
 */
import {
  sourceKey,
  type UpdateVideoBody,
  type VideoDto,
  type VideoListResponse,
} from "@streamline/contracts";
import type { VideoRow } from "../../db/schema.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import type { Services } from "../../lib/services.ts";
import { deletePrefixes } from "../../lib/storage/object-store.ts";
import { isSuspended } from "../../lib/suspension.ts";
import { TranscoderClient } from "../../lib/transcoder-client.ts";
import { channelRefOf, channelRefs } from "../channels/channel-refs.ts";
import { type NotifyQueue, notifyQueue, videoPublished } from "../notifications/notifier.ts";
import { type Room, roomNotifier } from "../progress/room-notifier.ts";
import { ReactionsRepo } from "../reactions/reactions.repo.ts";
import { type WebhookEmitter, webhooks, webhookVideo } from "../webhooks/emit.ts";
import { rememberAccess } from "./access-epoch.ts";
import { canView, isOwner } from "./video-access.ts";
import { toVideoDto } from "./video-dto.ts";
import { editWrite } from "./video-metadata.ts";
import { type PageCursor, VideosRepo } from "./videos.repo.ts";

/** Clips are shared by link only: never public, so never listed (ADR 0027). */
const clipsAreUnlisted = () =>
  new AppError(400, "validation_failed", "invalid request body", {
    issues: [{ path: "visibility", message: "a clip is unlisted or private", code: "custom" }],
  });

const CURSOR = /^(\d{1,15})\.(v_[A-Za-z0-9]{16})$/;

/** A listing request: `?limit=&cursor=` (the previous page's `nextCursor`) or the older `before`. */
export interface ListRequest {
  limit: number;
  cursor?: string | undefined;
  before?: number | undefined;
}

/** `before` (a createdAt in ms) is still understood for older clients; it skips videos sharing that millisecond. */
export function pageCursor({ cursor, before }: ListRequest): PageCursor | undefined {
  const m = cursor ? CURSOR.exec(cursor) : null;
  if (m) return { createdAt: Number(m[1]), id: m[2]! };
  return before ? { createdAt: before, id: "" } : undefined;
}

export interface VideosDeps {
  repo: VideosRepo;
  services: Pick<Services, "config" | "store" | "db">;
  room: Pick<Room, "close" | "revoke">;
  transcoder: Pick<TranscoderClient, "cancel">;
  /** Notifications (ADR 0017): a private, ready video made public is published now. */
  notify?: NotifyQueue;
  /** Webhooks (ADR 0025): `video.deleted`. */
  webhooks?: WebhookEmitter;
}

export class VideosService {
  private readonly deps: VideosDeps;
  constructor(deps: VideosDeps) {
    this.deps = deps;
  }

  static from(services: Services): VideosService {
    return new VideosService({
      repo: new VideosRepo(services.db),
      services,
      room: roomNotifier(services.env),
      transcoder: new TranscoderClient(services.config),
      notify: notifyQueue(services.env),
      webhooks: webhooks(services.env),
    });
  }

  /** The video if `userId` may see it; otherwise 404. */
  async findVisible(id: string, userId: string | null | undefined): Promise<VideoRow> {
    const video = await this.deps.repo.find(id);
    if (!video || !canView(video, userId)) throw notFound();
    // A suspended account's videos are hidden from everyone (ADR 0024).
    if (!isOwner(video, userId) && (await isSuspended(this.deps.services.db, video.ownerId)))
      throw notFound();
    // A clip is visible only while its source is (ADR 0027): private, taken down or deleted hides it.
    if (video.clipOf) {
      const source = await this.deps.repo.find(video.clipOf);
      if (!source || !canView(source, userId)) throw notFound();
    }
    return video;
  }

  /** The video if `userId` owns it; anyone else's (or none) is 404, never 403. */
  async findOwned(id: string, userId: string | null | undefined): Promise<VideoRow> {
    const video = await this.deps.repo.find(id);
    if (!video || !isOwner(video, userId)) throw notFound();
    return video;
  }

  async toDto(row: VideoRow, userId: string | null | undefined): Promise<VideoDto> {
    return toVideoDto(this.deps.services, row, userId, await channelRefOf(this.deps.services, row.ownerId));
  }

  /** One video for one caller, with the caller's reaction (`GET /api/videos/:id`). */
  async toDtoFor(row: VideoRow, userId: string | null | undefined): Promise<VideoDto> {
    const dto = await this.toDto(row, userId);
    if (!userId) return dto;
    return { ...dto, myReaction: await new ReactionsRepo(this.deps.services.db).find(row.id, userId) };
  }

  /** Public, ready videos, newest first. */
  async listPublic(q: ListRequest, userId: string | null | undefined): Promise<VideoListResponse> {
    return this.page(await this.deps.repo.listPublicReady(q.limit, pageCursor(q)), q.limit, userId);
  }

  /** The owner's videos in every state (the studio's list). */
  async listOwned(userId: string, q: ListRequest): Promise<VideoListResponse> {
    return this.page(await this.deps.repo.listOwnedBy(userId, q.limit, pageCursor(q)), q.limit, userId);
  }

  /** One page of a listing in the API's shape: DTOs for `userId`, and where the next page starts. */
  private async page(rows: VideoRow[], limit: number, userId: string | null | undefined) {
    const last = rows.length === limit ? rows.at(-1) : undefined;
    // One query for every owner on the page (VideoDto.channel).
    const channels = await channelRefs(
      this.deps.services,
      rows.map((r) => r.ownerId),
    );
    const channelOf = (r: VideoRow) => (r.ownerId ? (channels.get(r.ownerId) ?? null) : null);
    return {
      videos: await Promise.all(rows.map((r) => toVideoDto(this.deps.services, r, userId, channelOf(r)))),
      nextCursor: last ? `${last.createdAt}.${last.id}` : null,
    };
  }

  /**
   * An owner's edit (metadata rules: video-metadata.ts). Making the video private bumps its
   * access epoch (videos.repo `edit`):
   * this isolate stops honouring older playback tokens at once, other isolates within
   * ACCESS_EPOCH_CACHE_SECONDS, and the room closes every watcher but the owner. The DTO
   * returned carries a token under the new epoch.
   */
  async update(
    video: VideoRow,
    patch: UpdateVideoBody,
    userId: string | null | undefined,
  ): Promise<VideoDto> {
    if (video.clipOf && patch.visibility === "public") throw clipsAreUnlisted();
    const write = editWrite(video, patch);
    const row = await this.deps.repo.edit(video.id, write.row, write.tags);
    if (!row) throw notFound();
    // Any change of audience (a bump, or a private video made public) reaches this isolate's cache now.
    if (row.accessEpoch !== video.accessEpoch || row.visibility !== video.visibility) {
      rememberAccess(row.id, row, this.deps.services.config.ACCESS_EPOCH_CACHE_SECONDS * 1000);
    }
    // Every "make it private" reaches the room, bump or not: a retry after a failed call repairs it.
    if (patch.visibility === "private") await this.deps.room.revoke(row.id, row.accessEpoch);
    if (!video.publishedAt && row.publishedAt && this.deps.notify)
      await videoPublished(this.deps.notify, row.id);
    return this.toDto(row, userId);
  }

  /**
   * Deletes the row at once; `background` receives the rest. Objects go after the row: a
   * half-finished cleanup leaves orphans for the sweeper, never a dangling row. A transcode
   * in flight is cancelled (the node kills ffmpeg) and watchers are told the video is gone.
   */
  async remove(video: VideoRow, background: (work: Promise<unknown>) => void): Promise<void> {
    const { store } = this.deps.services;
    if (video.status === "uploading" && video.uploadId) {
      await store.abortMultipart(sourceKey(video.id), video.uploadId).catch(() => {});
    }
    await this.deps.repo.delete(video.id);
    await this.deps.webhooks?.emit(video.ownerId, "video.deleted", { video: webhookVideo(video) });
    // No row, no access: this isolate refuses every token now, others within the cache lifetime.
    rememberAccess(video.id, null, this.deps.services.config.ACCESS_EPOCH_CACHE_SECONDS * 1000);
    background(
      Promise.allSettled([
        video.jobId && (video.status === "queued" || video.status === "processing")
          ? this.deps.transcoder.cancel({ jobId: video.jobId, videoId: video.id, reason: "video deleted" })
          : Promise.resolve(0),
        this.deps.room.close(video.id, "video deleted"),
      ]).then(() => deletePrefixes(store, [`videos/${video.id}/`, `uploads/${video.id}/`])),
    );
  }
}
