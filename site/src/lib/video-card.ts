/**
 * One video card from a `<template>` whose parts carry `data-role` (title, duration, meta,
 * channel): the link to the watch page, duration badge, "N views · age", the poster (hidden
 * again if it fails to load) and, where the page lists several channels, the channel chip.
 * Used by `/feed` and `/c/:handle`.
 */
import type { VideoDto } from "./api.ts";
import { channelChip } from "./channel-chip.ts";
import { elementsOf, role } from "./dom.ts";
import { formatDuration, formatRelativeTime } from "./format.ts";

export interface VideoCardOptions {
  /** Names the template in the error a missing part raises. */
  label: string;
  /** Show the channel chip (a channel's own page does not). */
  withChannel: boolean;
}

export function videoCard(template: HTMLTemplateElement, video: VideoDto, opts: VideoCardOptions): Node {
  const node = template.content.cloneNode(true) as DocumentFragment;
  const $ = elementsOf(node, opts.label);
  const link = $("a", HTMLAnchorElement);
  link.href = `/watch/${encodeURIComponent(video.id)}`;
  link.dataset.videoId = video.id;
  $(role("title")).textContent = video.title;
  const duration = $(role("duration"));
  duration.textContent = formatDuration(video.durationSec);
  duration.hidden = !duration.textContent;
  const views = video.viewCount ?? 0;
  $(role("meta")).textContent = [
    `${views.toLocaleString("en")} ${views === 1 ? "view" : "views"}`,
    formatRelativeTime(video.publishedAt ?? video.createdAt),
  ].join(" · ");
  const chip = opts.withChannel ? channelChip(document, video.channel) : null;
  if (chip) $(role("channel")).append(chip);
  if (video.thumbnailUrl) {
    const img = $("img", HTMLImageElement);
    img.src = video.thumbnailUrl;
    img.hidden = false;
    img.addEventListener("error", () => (img.hidden = true), { once: true });
  }
  return node;
}
