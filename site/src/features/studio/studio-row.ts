/**
 * One row of the studio list (`li` from `#studio-row-template`): links, poster, duration,
 * the status badge and its progress bar, repainted in place whenever the video changes.
 */
import type { VideoDto } from "../../lib/api.ts";
import { channelChip } from "../../lib/channel-chip.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { formatDuration, formatRelativeTime } from "../../lib/format.ts";
import { posterFile } from "./poster-upload.ts";
import { statusView, VISIBILITY } from "./studio-model.ts";

type RowFinder = ReturnType<typeof elementsOf>;
type LiveView = Parameters<typeof statusView>[1];
type StatusView = ReturnType<typeof statusView>;

export function renderStudioRow(li: HTMLLIElement, video: VideoDto, live?: LiveView): void {
  li.dataset.videoId = video.id;
  li.dataset.status = video.status;
  li.dataset.visibility = video.visibility;
  const $ = elementsOf(li, "studio row");
  renderLinks($, video);
  renderChannel($(role("channel")), video);
  renderThumb($("img", HTMLImageElement), video.thumbnailUrl);
  const duration = $(role("duration"));
  duration.textContent = formatDuration(video.durationSec);
  duration.hidden = !duration.textContent;

  const view = statusView(video, live);
  const status = $(role("status"));
  status.textContent = view.label;
  status.dataset.tone = view.tone;
  $(role("visibility")).textContent = VISIBILITY[video.visibility].label;
  $(role("created")).textContent = `Uploaded ${formatRelativeTime(video.createdAt)}`;
  renderProgress($, video.title, view);
  const detail = $(role("detail"));
  // A moderator's takedown outranks everything else the row could say (ADR 0024).
  detail.textContent = video.takenDown ? `Taken down: ${video.takenDown.reason}` : view.detail;
  detail.hidden = !detail.textContent;
  detail.classList.toggle("row-taken-down", !!video.takenDown);
  if (video.takenDown) {
    status.textContent = "Taken down";
    status.dataset.tone = "danger";
  }
}

function renderLinks($: RowFinder, video: VideoDto) {
  const manageHref = `/studio/${encodeURIComponent(video.id)}`;
  const title = $(role("title"), HTMLAnchorElement);
  title.textContent = video.title;
  title.href = manageHref;
  $(role("thumb-link"), HTMLAnchorElement).href = manageHref;
  const manage = $(role("manage"), HTMLAnchorElement);
  manage.href = manageHref;
  manage.setAttribute("aria-label", `Manage “${video.title}”`);
  const watch = $(role("watch"), HTMLAnchorElement);
  watch.href = `/watch/${encodeURIComponent(video.id)}`;
  watch.setAttribute("aria-label", `Watch “${video.title}”`);
}

/** The video's channel (the caller's own): repainted only when it changes. */
function renderChannel(slot: HTMLElement, video: VideoDto) {
  const key = JSON.stringify(video.channel);
  if (slot.dataset.key === key) return;
  slot.dataset.key = key;
  const chip = channelChip(document, video.channel);
  slot.replaceChildren(...(chip ? [chip] : []));
}

function renderThumb(img: HTMLImageElement, url: string | null) {
  if (!url) {
    img.hidden = true;
    return;
  }
  // Tokens change on every read: only swap the image when the file changes.
  const file = posterFile(url) ?? "";
  if (img.dataset.file === file) return;
  img.dataset.file = file;
  img.src = url;
  img.hidden = false;
  img.onerror = () => {
    img.hidden = true;
  };
}

function renderProgress($: RowFinder, title: string, view: StatusView) {
  const progress = $(role("progress"));
  const fill = $(role("progress-fill"));
  progress.hidden = view.percent === undefined;
  progress.classList.toggle("is-indeterminate", view.percent === null);
  if (typeof view.percent === "number") {
    fill.style.width = `${view.percent}%`;
    progress.setAttribute("role", "progressbar");
    progress.setAttribute("aria-label", `${title}: ${view.label}`);
    progress.setAttribute("aria-valuenow", String(Math.round(view.percent)));
    progress.setAttribute("aria-valuemin", "0");
    progress.setAttribute("aria-valuemax", "100");
  } else {
    fill.style.removeProperty("width");
    progress.removeAttribute("role");
    progress.removeAttribute("aria-valuenow");
  }
}
