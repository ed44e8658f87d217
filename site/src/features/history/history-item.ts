/** One row of `/history`: poster with a progress bar, title, channel, where you stopped. */
import type { HistoryItem } from "../../lib/api.ts";
import { channelChip } from "../../lib/channel-chip.ts";
import { elementsOf } from "../../lib/dom.ts";
import { formatDuration, formatRelativeTime } from "../../lib/format.ts";

/** Percent watched (0–100): a finished video (resume point 0, watched before) shows as full. */
export function progressPercent(item: Pick<HistoryItem, "positionSec" | "durationSec">): number {
  const duration = item.durationSec ?? 0;
  if (duration <= 0) return 0;
  if (item.positionSec === 0) return 100;
  return Math.min(100, Math.max(0, Math.round((item.positionSec / duration) * 100)));
}

/** "Stopped at 4:12 of 10:00 · 2 hours ago", or "Watched · …" once finished. */
export function progressText(item: Pick<HistoryItem, "positionSec" | "durationSec" | "watchedAt">): string {
  const total = formatDuration(item.durationSec);
  const where =
    item.positionSec > 0
      ? `Stopped at ${formatDuration(item.positionSec)}${total ? ` of ${total}` : ""}`
      : "Watched";
  const when = formatRelativeTime(item.watchedAt);
  return when ? `${where} · ${when}` : where;
}

export function historyRow(
  template: HTMLTemplateElement,
  item: HistoryItem,
  onRemove: () => void,
): HTMLLIElement {
  const node = template.content.cloneNode(true) as DocumentFragment;
  const $ = elementsOf(node, "history item template");
  const li = $("li", HTMLLIElement);
  li.dataset.videoId = item.video.id;
  const href = `/watch/${encodeURIComponent(item.video.id)}`;
  $(".history-thumb", HTMLAnchorElement).href = href;
  const title = $(".history-title", HTMLAnchorElement);
  title.href = href;
  title.textContent = item.video.title;
  const percent = progressPercent(item);
  const bar = $(".history-progress");
  bar.setAttribute("aria-valuenow", String(percent));
  bar.setAttribute("aria-label", `${percent}% watched`);
  $(".history-progress-bar").style.width = `${percent}%`;
  $("[data-role=meta]").textContent = progressText(item);
  const chip = channelChip(document, item.video.channel);
  if (chip) $("[data-role=channel]").append(chip);
  if (item.video.thumbnailUrl) {
    const img = $("img", HTMLImageElement);
    img.src = item.video.thumbnailUrl;
    img.hidden = false;
    img.addEventListener("error", () => {
      img.hidden = true;
    });
  }
  const remove = $(".history-remove", HTMLButtonElement);
  remove.setAttribute("aria-label", `Remove "${item.video.title}" from history`);
  remove.addEventListener("click", onRemove);
  return li;
}
