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
  /** The WebP widths (`url 320w, …`); absent for videos from before sizes existed. */
  srcset?: string;
  sizes?: string;
  loading: "eager" | "lazy";
  fetchpriority: "high" | "auto";
}

/**
 * How wide a card is (components/video-grid.astro: columns of at least 250 px with 1.25rem
 * gaps in a container of at most 1200 px with clamp(1rem, 3vw, 2rem) padding): one column up
 * to ~555 px, two up to ~840 px, three up to ~1115 px, then four of about 290 px.
 */
export const CARD_SIZES =
  "(max-width: 555px) calc(100vw - 2rem), (max-width: 840px) 50vw, (max-width: 1115px) 33vw, 290px";

/**
 * The poster's `<img>` attributes for the card at `index`: the first row eager and at high
 * priority (the home page's LCP candidates), the rest lazy. With the poster's WebP widths
 * (`posterSizes`, ADR 0033) a `srcset` + `sizes` lets a phone fetch the 320 or 640 px copy; the
 * JPEG (≤ 1280 px) stays the `src` for videos without sizes and browsers without `srcset`.
 */
export function posterImage(video: VideoDto, index: number): PosterImage | null {
  if (!video.thumbnailUrl) return null;
  const firstRow = index < FIRST_ROW;
  const widths = video.posterSizes ?? [];
  return {
    src: video.thumbnailUrl,
    ...(widths.length
      ? { srcset: widths.map((s) => `${s.url} ${s.width}w`).join(", "), sizes: CARD_SIZES }
      : {}),
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
