/**
 * A video's channel as every list and page shows it (`VideoDto.channel`): its avatar (or the
 * first letter of its name) and its name, linking to `/c/:handle`. Built from DOM nodes, so a
 * name is always text. Shared by home cards, the watch page, studio rows and channel pages.
 */
import type { ChannelRef } from "@streamline/contracts";

export type ChipSize = "sm" | "md";

/** The letter shown when a channel has no avatar yet. */
export function initialOf(name: string): string {
  return [...name.trim()][0]?.toUpperCase() ?? "?";
}

export function channelHref(handle: string): string {
  return `/c/${encodeURIComponent(handle)}`;
}

/** An avatar image, or the initial in a circle when there is none (or it fails to load). */
export function avatarElement(
  doc: Document,
  channel: Pick<ChannelRef, "displayName" | "avatarUrl">,
  size: ChipSize,
) {
  const initial = doc.createElement("span");
  initial.className = `avatar avatar-${size} avatar-initial`;
  initial.textContent = initialOf(channel.displayName);
  initial.setAttribute("aria-hidden", "true");
  if (!channel.avatarUrl) return initial;
  const img = doc.createElement("img");
  img.className = `avatar avatar-${size}`;
  img.src = channel.avatarUrl;
  img.alt = "";
  img.loading = "lazy";
  img.decoding = "async";
  img.addEventListener("error", () => img.replaceWith(initial), { once: true });
  return img;
}

/** `<a class="channel-chip" href="/c/handle">[avatar] Name</a>`; null for a video without a channel. */
export function channelChip(
  doc: Document,
  channel: ChannelRef | null,
  size: ChipSize = "sm",
): HTMLElement | null {
  if (!channel) return null;
  const link = doc.createElement("a");
  link.className = `channel-chip channel-chip-${size}`;
  link.href = channelHref(channel.handle);
  link.dataset.testid = "channel-chip";
  link.dataset.handle = channel.handle;
  const name = doc.createElement("span");
  name.className = "channel-chip-name";
  name.textContent = channel.displayName;
  link.append(avatarElement(doc, channel, size), name);
  return link;
}
