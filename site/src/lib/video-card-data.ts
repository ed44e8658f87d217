/**
 * What a video card shows, computed the same way on the server (components/video-card.astro)
 * and in the browser (lib/video-card.ts): its text, its poster `<img>` attributes and its
 * channel. Pure: no DOM.
 */
import type { ChannelRef, VideoDto } from "@streamline/contracts";
import { channelHref, initialOf } from "./channel-chip.ts";
import { formatDuration, formatRelativeTime } from "./format.ts";

/** Cards in the first row (four at 1280 px): their posters load eagerly, at high priority. */
export const FIRST_ROW = 4;

export interface CardText {
  href: string;
  title: string;
  duration: string;
  meta: string;
}

export function viewsLabel(count: number): string {
  return `${count.toLocaleString("en")} ${count === 1 ? "view" : "views"}`;
}

export function videoCardText(video: VideoDto, now = Date.now()): CardText {
  return {
    href: `/watch/${encodeURIComponent(video.id)}`,
    title: video.title,
    duration: formatDuration(video.durationSec),
    meta: [viewsLabel(video.viewCount ?? 0), formatRelativeTime(video.publishedAt ?? video.createdAt, now)]
      .filter(Boolean)
      .join(" · "),
  };
}

export interface PosterImage {
  src: string;
  loading: "eager" | "lazy";
  fetchpriority: "high" | "auto";
}

/**
 * The poster's `<img>` attributes for the card at `index`: the first row eager and at high
 * priority (the home page's LCP candidates), the rest lazy. There is no `srcset`: the edge
 * serves one poster per video (a JPEG at most 1280 px wide; ADR 0020).
 */
export function posterImage(video: VideoDto, index: number): PosterImage | null {
  if (!video.thumbnailUrl) return null;
  const firstRow = index < FIRST_ROW;
  return {
    src: video.thumbnailUrl,
    loading: firstRow ? "eager" : "lazy",
    fetchpriority: firstRow ? "high" : "auto",
  };
}

export interface AvatarLook {
  href: string;
  handle: string;
  displayName: string;
  avatarUrl: string | null;
  initial: string;
}

export function avatarLook(channel: ChannelRef | null): AvatarLook | null {
  if (!channel) return null;
  return {
    href: channelHref(channel.handle),
    handle: channel.handle,
    displayName: channel.displayName,
    avatarUrl: channel.avatarUrl,
    initial: initialOf(channel.displayName),
  };
}
