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

/** The grid's columns: 1 on phones, about 300 px each up to the 1200 px content width. */
export const CARD_SIZES = "(max-width: 600px) calc(100vw - 2rem), (max-width: 1200px) 45vw, 300px";

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
  srcset: string | undefined;
  sizes: string | undefined;
  loading: "eager" | "lazy";
  fetchpriority: "high" | "auto";
}

/**
 * The poster's `<img>` attributes for the card at `index`: the first row eager and at high
 * priority (the home page's LCP candidates), the rest lazy. `thumbnailSrcset` (when the edge
 * lists poster sizes) lets the browser pick the smallest that fills the card.
 */
export function posterImage(video: VideoDto, index: number): PosterImage | null {
  if (!video.thumbnailUrl) return null;
  const firstRow = index < FIRST_ROW;
  const srcset = (video as { thumbnailSrcset?: string | null }).thumbnailSrcset ?? undefined;
  return {
    src: video.thumbnailUrl,
    srcset,
    sizes: srcset ? CARD_SIZES : undefined,
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
