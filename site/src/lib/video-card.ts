/**
 * Fills one video card from the `<template>` that components/video-grid.astro renders
 * (components/video-card.astro without a video): the link, duration, title, "N views · age",
 * the poster (lazy unless in the first row; hidden again if it fails to load) and, where the
 * page lists several channels, the channel chip. Used by home, `/feed` and `/c/:handle`.
 */
import type { VideoDto } from "./api.ts";
import { channelChip } from "./channel-chip.ts";
import { elementsOf, role } from "./dom.ts";
import { posterImage, videoCardText } from "./video-card-data.ts";

export interface VideoCardOptions {
  /** Names the template in the error a missing part raises. */
  label: string;
  /** Show the channel chip (a channel's own page does not). */
  withChannel: boolean;
  /** Position in the grid (first row: eager, high priority); default: below the fold. */
  index?: number;
}

export function videoCard(template: HTMLTemplateElement, video: VideoDto, opts: VideoCardOptions): Node {
  const node = template.content.cloneNode(true) as DocumentFragment;
  const $ = elementsOf(node, opts.label);
  const text = videoCardText(video);
  const link = $("a", HTMLAnchorElement);
  link.href = text.href;
  link.dataset.videoId = video.id;
  $(role("title")).textContent = text.title;
  const duration = $(role("duration"));
  duration.textContent = text.duration;
  duration.hidden = !text.duration;
  $(role("meta")).textContent = text.meta;
  const chip = opts.withChannel ? channelChip(document, video.channel) : null;
  if (chip) $(role("channel")).append(chip);
  const poster = posterImage(video, opts.index ?? Number.POSITIVE_INFINITY);
  if (poster) {
    const img = $("img", HTMLImageElement);
    img.loading = poster.loading;
    img.fetchPriority = poster.fetchpriority;
    if (poster.srcset && poster.sizes) {
      img.sizes = poster.sizes;
      img.srcset = poster.srcset;
    }
    img.src = poster.src;
    img.hidden = false;
    img.addEventListener("error", () => (img.hidden = true), { once: true });
  }
  return node;
}
