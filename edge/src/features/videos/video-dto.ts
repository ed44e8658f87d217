/** Video rows in the API's shape (`VideoDto`), with signed playback and media URLs. */
import {
  Category,
  type ChannelRef,
  Chapters,
  PosterSizeKey,
  Rendition,
  type VideoDto,
  VideoProgress,
} from "@streamline/contracts";
import { z } from "zod";
import type { VideoRow } from "../../db/schema.ts";
import type { Services } from "../../lib/services.ts";
import { signPlaybackToken } from "../../lib/tokens.ts";
import { downloadsEnabled } from "./download-state.ts";
import { embedSettingsOf, isEmbeddable } from "./embed-policy.ts";
import { isOwner } from "./video-access.ts";
import { failureFor } from "./video-failure.ts";

const Renditions = z.array(Rendition);

export function renditionsOf(row: Pick<VideoRow, "renditionsJson">) {
  const parsed = Renditions.safeParse(JSON.parse(row.renditionsJson || "[]"));
  return parsed.success ? parsed.data : [];
}

const StoredTags = z.array(z.string());

/** Tags, category, chapters and publish times as the API shows them (ADR 0013). */
export function metadataFields(
  row: Pick<VideoRow, "tagsJson" | "category" | "chaptersJson" | "publishedAt" | "publishAt">,
  owner: boolean,
): Pick<VideoDto, "tags" | "category" | "publishedAt" | "chapters" | "publishAt"> {
  const tags = StoredTags.safeParse(JSON.parse(row.tagsJson || "[]"));
  const chapters = row.chaptersJson ? Chapters.safeParse(JSON.parse(row.chaptersJson)) : undefined;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    tags: tags.success ? tags.data : [],
    category: Category.safeParse(row.category).data ?? null,
    publishedAt: iso(row.publishedAt),
    ...(chapters?.success ? { chapters: chapters.data } : {}),
    ...(owner ? { publishAt: iso(row.publishAt) } : {}),
  };
}

/** Counters and the comments setting; dislikes only for the owner (ADR 0015). */
function communityFields(
  row: Pick<VideoRow, "likeCount" | "dislikeCount" | "commentCount" | "commentsMode">,
  owner: boolean,
): Pick<VideoDto, "likeCount" | "dislikeCount" | "commentCount" | "commentsMode"> {
  return {
    likeCount: row.likeCount,
    commentCount: row.commentCount,
    commentsMode: row.commentsMode,
    ...(owner ? { dislikeCount: row.dislikeCount } : {}),
  };
}

/** Public delivery path for one object of a video, under a signed token. */
export function deliveryPath(videoId: string, token: string, file: string) {
  return `/v/${videoId}/${token}/${file}`;
}

/**
 * A signed master URL for `video`, under its current access epoch. The owner's tokens name
 * them (`vwr`), so the owner keeps playing a video they made private; everyone else's stop
 * resolving once the epoch moves on (access-epoch.ts).
 */
export async function playbackFor(
  services: Pick<Services, "config">,
  video: Pick<VideoRow, "id" | "ownerId" | "accessEpoch">,
  userId: string | null | undefined,
  now = Date.now(),
) {
  const { token, expiresAt } = await signPlaybackToken(
    services.config.DELIVERY_SECRET,
    video.id,
    services.config.PLAYBACK_TTL_SECONDS,
    now,
    { viewer: isOwner(video, userId) ? userId : null, epoch: video.accessEpoch },
  );
  return { token, hls: deliveryPath(video.id, token, "master.m3u8"), expiresAt: expiresAt.toISOString() };
}

/** HLS always; DASH (same files, ADR 0026) once every rendition is final. */
function playbackDto(
  row: Pick<VideoRow, "id" | "status" | "clipOf">,
  p: { token: string; hls: string; expiresAt: string },
) {
  // A clip's media playlists are cut at serve time; DASH is not offered for them (ADR 0027).
  const dash =
    row.status === "ready" && !row.clipOf ? { dash: deliveryPath(row.id, p.token, "manifest.mpd") } : {};
  return { hls: p.hls, ...dash, expiresAt: p.expiresAt };
}

/**
 * Signed URL of a stored object of the video (keys live under `videos/{id}/`; a clip's are
 * its source's, which delivery serves under the clip's id).
 */
function mediaUrl(row: Pick<VideoRow, "id" | "clipOf">, token: string, key: string | null): string | null {
  const prefix = `videos/${row.clipOf ?? row.id}/`;
  return key?.startsWith(prefix) ? deliveryPath(row.id, token, key.slice(prefix.length)) : null;
}

const StoredPosterSizes = z.array(PosterSizeKey);

/**
 * The poster's widths as signed URLs, narrowest first (ADR 0033); [] for videos from before
 * sizes existed, and for any size whose key is not under the video's prefix.
 */
export function posterSizesOf(
  row: Pick<VideoRow, "id" | "clipOf" | "posterSizesJson">,
  token: string,
): NonNullable<VideoDto["posterSizes"]> {
  if (!row.posterSizesJson) return [];
  const parsed = StoredPosterSizes.safeParse(JSON.parse(row.posterSizesJson));
  if (!parsed.success) return [];
  return parsed.data
    .flatMap((s) => {
      const url = mediaUrl(row, token, s.key);
      return url ? [{ url, width: s.width, height: s.height }] : [];
    })
    .sort((a, b) => a.width - b.width);
}

/** Viewers get the vocabulary only; the owner also the sanitized detail. */
function failureFields(row: VideoRow, owner: boolean): Pick<VideoDto, "failure" | "failureReason"> {
  const failure = failureFor(row, owner);
  return { failureReason: failure.message, failure };
}

/**
 * `userId`: the caller, if signed in (decides `owned` and whom the playback token names);
 * `channel`: the owner's channel (features/channels/channel-refs.ts).
 */
export async function toVideoDto(
  services: Pick<Services, "config">,
  row: VideoRow,
  userId: string | null | undefined,
  channel: ChannelRef | null,
): Promise<VideoDto> {
  const playback = row.playable ? await playbackFor(services, row, userId) : undefined;
  const progress = row.progressJson ? VideoProgress.safeParse(JSON.parse(row.progressJson)) : undefined;
  const inFlight = row.status === "queued" || row.status === "processing";
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    visibility: row.visibility,
    status: row.status,
    playable: row.playable,
    ...(row.status === "failed" ? failureFields(row, isOwner(row, userId)) : {}),
    durationSec: row.durationSec,
    width: row.width,
    height: row.height,
    renditions: renditionsOf(row),
    thumbnailUrl: playback ? mediaUrl(row, playback.token, row.posterKey) : null,
    posterSizes: playback ? posterSizesOf(row, playback.token) : [],
    trickplayUrl: playback ? mediaUrl(row, playback.token, row.trickplayKey) : null,
    ...(playback ? { playback: playbackDto(row, playback) } : {}),
    ...(inFlight && progress?.success ? { progress: progress.data } : {}),
    createdAt: new Date(row.createdAt).toISOString(),
    owned: isOwner(row, userId),
    channel,
    viewCount: row.viewCount,
    ...metadataFields(row, isOwner(row, userId)),
    ...communityFields(row, isOwner(row, userId)),
    ...(isOwner(row, userId) && row.takenDownAt !== null
      ? {
          takenDown: { at: new Date(row.takenDownAt).toISOString(), reason: row.takedownReason ?? "" },
        }
      : {}),
    embeddable: isEmbeddable(row),
    ...(isOwner(row, userId) ? { embed: embedSettingsOf(row) } : {}),
    ...integratorFields(services, row, userId),
  };
}

/** Downloads (owner only) and what a clip plays (ADR 0027). */
function integratorFields(
  services: Pick<Services, "config">,
  row: VideoRow,
  userId: string | null | undefined,
): Pick<VideoDto, "download" | "clipOf"> {
  return {
    ...(isOwner(row, userId) ? { download: { enabled: downloadsEnabled(row, services.config) } } : {}),
    ...(row.clipOf
      ? { clipOf: { videoId: row.clipOf, startSec: row.clipStartSec ?? 0, endSec: row.clipEndSec ?? 0 } }
      : {}),
  };
}
