/**
 * Channels: the public page's data (a handle given up answers with where it moved), the
 * channel's public videos, the owner's edits (a handle change keeps the old one redirecting
 * for HANDLE_REDIRECT_DAYS) and avatar/banner uploads handed to the fleet. ADR 0011.
 */
import {
  type ChannelDto,
  type ChannelImageEvent,
  type ChannelImageKind,
  ChannelLink,
  type ChannelVideosQuery,
  channelImagePrefix,
  channelImageSourceKey,
  HANDLE_REDIRECT_DAYS,
  MAX_HELD_HANDLES,
  type MyChannelResponse,
  type UpdateChannelBody,
  type VideoListResponse,
} from "@streamline/contracts";
import { z } from "zod";
import { AppError, notFound } from "../../lib/errors.ts";
import { newAttemptId } from "../../lib/ids.ts";
import type { SniffedImageType } from "../../lib/image-sniff.ts";
import { errorMessage, log } from "../../lib/log.ts";
import type { Services } from "../../lib/services.ts";
import { deleteUnder } from "../../lib/storage/object-store.ts";
import { type JobQueue, queueOf } from "../jobs/jobs.service.ts";
import { toVideoDto } from "../videos/video-dto.ts";
import { imageSet, sizeOf, srcsetOf } from "./channel-images.ts";
import { type ChannelPageCursor, type ChannelRecord, ChannelsRepo } from "./channels.repo.ts";

const DAY_MS = 24 * 3600_000;
const StoredLinks = z.array(ChannelLink);
const CURSOR = /^(\d{1,15})\.(v_[A-Za-z0-9]{16})$/;

export interface ChannelsDeps {
  repo: ChannelsRepo;
  services: Pick<Services, "config" | "store" | "db">;
  queue: JobQueue;
  now?: () => number;
}

/** A handle that answers: the channel, or the handle it moved to. */
export type Lookup = { channel: ChannelRecord } | { movedTo: string };

function linksOf(row: Pick<ChannelRecord, "linksJson">) {
  const parsed = StoredLinks.safeParse(JSON.parse(row.linksJson || "[]"));
  return parsed.success ? parsed.data : [];
}

export class ChannelsService {
  private readonly deps: ChannelsDeps;
  constructor(deps: ChannelsDeps) {
    this.deps = deps;
  }

  static from(services: Services): ChannelsService {
    return new ChannelsService({
      repo: new ChannelsRepo(services.db),
      services,
      queue: queueOf(services.env.JOBS),
    });
  }

  private now() {
    return this.deps.now?.() ?? Date.now();
  }

  /** The channel under `handle`, the handle it moved to while the old one redirects, or 404. */
  async lookup(handle: string): Promise<Lookup> {
    const { repo } = this.deps;
    const channel = await repo.findByHandle(handle);
    if (channel) return { channel };
    const target = await repo.redirectTarget(handle, this.now());
    const moved = target ? await repo.findByUserId(target) : undefined;
    if (!moved) throw notFound("channel");
    return { movedTo: moved.handle };
  }

  async toDto(channel: ChannelRecord): Promise<ChannelDto> {
    const secret = this.deps.services.config.DELIVERY_SECRET;
    const [avatars, banners, stats] = await Promise.all([
      imageSet(secret, "avatar", channel.avatarKey),
      imageSet(secret, "banner", channel.bannerKey),
      this.deps.repo.stats(channel.userId),
    ]);
    return {
      handle: channel.handle,
      displayName: channel.displayName,
      description: channel.description,
      avatarUrl: sizeOf(avatars, 176),
      avatarSrcset: srcsetOf(avatars),
      bannerUrl: sizeOf(banners, 1280),
      bannerSrcset: srcsetOf(banners),
      links: linksOf(channel),
      subscriberCount: channel.subscriberCount,
      videoCount: stats.videoCount,
      totalViews: stats.totalViews,
      createdAt: new Date(channel.createdAt).toISOString(),
    };
  }

  /** A page of the channel's public, ready videos; `nextCursor` continues the same sort. */
  async videos(
    channel: ChannelRecord,
    q: ChannelVideosQuery,
    userId: string | null | undefined,
  ): Promise<VideoListResponse> {
    const m = q.cursor ? CURSOR.exec(q.cursor) : null;
    const after: ChannelPageCursor | undefined = m ? { value: Number(m[1]), id: m[2]! } : undefined;
    const rows = await this.deps.repo.videos(channel.userId, q.sort, q.limit, after);
    const secret = this.deps.services.config.DELIVERY_SECRET;
    const avatar = sizeOf(await imageSet(secret, "avatar", channel.avatarKey), 88);
    const ref = { handle: channel.handle, displayName: channel.displayName, avatarUrl: avatar };
    const last = rows.length === q.limit ? rows.at(-1) : undefined;
    const sortValue = (r: (typeof rows)[number]) => (q.sort === "popular" ? r.viewCount : r.createdAt);
    return {
      videos: await Promise.all(rows.map((r) => toVideoDto(this.deps.services, r, userId, ref))),
      nextCursor: last ? `${sortValue(last)}.${last.id}` : null,
    };
  }

  /** The caller's own channel (every account has one; a missing row is a 404 like any other). */
  async mine(userId: string): Promise<MyChannelResponse> {
    const channel = await this.deps.repo.findByUserId(userId);
    if (!channel) throw notFound("channel");
    const held = await this.deps.repo.heldHandles(userId, this.now());
    return {
      channel: await this.toDto(channel),
      avatar: { pending: channel.avatarAttemptId !== null, failure: channel.avatarFailure },
      banner: { pending: channel.bannerAttemptId !== null, failure: channel.bannerFailure },
      heldHandles: held.map((h) => ({ handle: h.handle, expiresAt: new Date(h.expiresAt).toISOString() })),
    };
  }

  /** The owner's edit: only what is sent changes; a new handle goes through `changeHandle`. */
  async update(userId: string, body: UpdateChannelBody): Promise<MyChannelResponse> {
    const channel = await this.deps.repo.findByUserId(userId);
    if (!channel) throw notFound("channel");
    if (body.handle !== undefined && body.handle !== channel.handle) {
      await this.changeHandle(channel, body.handle);
    }
    const patch = {
      ...(body.displayName !== undefined ? { displayName: body.displayName } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.links !== undefined ? { linksJson: JSON.stringify(body.links) } : {}),
    };
    if (Object.keys(patch).length > 0) await this.deps.repo.update(userId, patch, this.now());
    return this.mine(userId);
  }

  /**
   * At most MAX_HELD_HANDLES old handles redirect at once (else one account could hoard
   * names by changing often): one more change waits until the oldest expires — unless the
   * new handle is one of them (taking it back frees it).
   */
  private async changeHandle(channel: ChannelRecord, to: string): Promise<void> {
    const { repo } = this.deps;
    const now = this.now();
    const held = (await repo.heldHandles(channel.userId, now)).filter((h) => h.handle !== to);
    if (held.length >= MAX_HELD_HANDLES) {
      const waitSec = Math.ceil((held[0]!.expiresAt - now) / 1000);
      throw new AppError(
        429,
        "handle_change_limit",
        `you changed your handle ${MAX_HELD_HANDLES} times in ${HANDLE_REDIRECT_DAYS} days; try again once an old handle expires`,
        { headers: { "retry-after": String(waitSec) } },
      );
    }
    const outcome = await repo.changeHandle(
      channel.userId,
      channel.handle,
      to,
      now,
      now + HANDLE_REDIRECT_DAYS * DAY_MS,
    );
    if (outcome === "taken") throw new AppError(409, "handle_taken", "that handle is taken; choose another");
    if (outcome === "conflict")
      throw new AppError(409, "conflict", "your handle changed meanwhile; reload and try again");
  }

  /** Stores the sniffed original and queues its rendering; the channel shows it once the fleet reports. */
  async uploadImage(userId: string, kind: ChannelImageKind, bytes: Uint8Array, type: SniffedImageType) {
    const { repo, services, queue } = this.deps;
    const channel = await repo.findByUserId(userId);
    if (!channel) throw notFound("channel");
    const sourceKey = channelImageSourceKey(userId, kind);
    await services.store.put(sourceKey, bytes, { contentType: type });
    const attemptId = newAttemptId();
    await repo.startImage(userId, kind, attemptId, this.now());
    await queue.send({
      v: 1,
      type: "channel-image",
      jobId: `c_${attemptId.slice(2)}`,
      userId,
      kind,
      attempt: 1,
      attemptId,
      source: { key: sourceKey },
      outputPrefix: channelImagePrefix(userId, kind, attemptId),
      createdAt: new Date(this.now()).toISOString(),
    });
  }

  /**
   * The fleet's result for one upload. Only the awaited attempt applies (a newer upload
   * supersedes an older one still rendering); the replaced set is deleted by `cleanup`.
   */
  async applyImageEvent(
    ev: ChannelImageEvent,
    cleanup: (work: Promise<unknown>) => void,
  ): Promise<"applied" | "duplicate" | "stale_attempt"> {
    const { repo } = this.deps;
    const now = this.now();
    if (ev.type === "channel-image-failed") {
      return (await repo.failImage(ev.userId, ev.kind, ev.attemptId, ev.reason, now))
        ? "applied"
        : "stale_attempt";
    }
    if (ev.keyPrefix !== channelImagePrefix(ev.userId, ev.kind, ev.attemptId)) {
      throw new AppError(400, "validation_failed", "keyPrefix must be the job's own output prefix");
    }
    const done = await repo.finishImage(ev.userId, ev.kind, ev.attemptId, ev.keyPrefix, now);
    if (!done) return this.notAwaited(ev, cleanup);
    if (done.previous && done.previous !== ev.keyPrefix) cleanup(this.deleteSet(done.previous));
    return "applied";
  }

  /**
   * A result nobody waits for: the fleet re-sending one already applied (the current image:
   * a duplicate), or a superseded upload's set, which no page will ever show — deleted.
   */
  private async notAwaited(
    ev: Extract<ChannelImageEvent, { type: "channel-image" }>,
    cleanup: (work: Promise<unknown>) => void,
  ): Promise<"duplicate" | "stale_attempt"> {
    const channel = await this.deps.repo.findByUserId(ev.userId);
    const current = ev.kind === "avatar" ? channel?.avatarKey : channel?.bannerKey;
    if (current === ev.keyPrefix) return "duplicate";
    cleanup(this.deleteSet(ev.keyPrefix));
    return "stale_attempt";
  }

  private deleteSet(prefix: string): Promise<unknown> {
    return deleteUnder(this.deps.services.store, prefix).catch((err) =>
      log.warn("deleting a channel image set failed", { prefix, error: errorMessage(err) }),
    );
  }
}
