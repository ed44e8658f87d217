/**
 * One file's row in the upload queue (the `#queue-item-template` on the upload page): name,
 * size and status, its own progress bar, and Pause / Resume / Cancel (or Remove, once it is
 * uploaded) plus the watch link. Picking the row shows its details and parts.
 */
import { elementsOf, role } from "../../lib/dom.ts";
import { formatBytes, formatPercent } from "../../lib/format.ts";
import { itemFraction, itemStatus, type UploadItem } from "./upload-queue.ts";

export interface QueueRow {
  element: HTMLLIElement;
  paint(item: UploadItem): void;
  setSelected(selected: boolean): void;
}

export interface RowActions {
  select(): void;
  pause(): void;
  resume(): void;
  cancel(): void;
}

export function queueRow(template: HTMLTemplateElement, item: UploadItem, actions: RowActions): QueueRow {
  const fragment = template.content.cloneNode(true) as DocumentFragment;
  const $ = elementsOf(fragment, "upload queue row");
  const element = $("li", HTMLLIElement);
  const selectButton = $(role("select"), HTMLButtonElement);
  const status = $(role("status"));
  const bar = $(role("bar"));
  const fill = $(role("bar-fill"));
  const percent = $(role("percent"));
  const pause = $(role("pause"), HTMLButtonElement);
  const resume = $(role("resume"), HTMLButtonElement);
  const cancel = $(role("cancel"), HTMLButtonElement);
  const watch = $(role("watch"), HTMLAnchorElement);
  const name = item.file.name;

  element.dataset.key = String(item.key);
  $(role("name")).textContent = name;
  $(role("size")).textContent = formatBytes(item.file.size);
  bar.setAttribute("aria-label", `Upload of ${name}`);
  pause.setAttribute("aria-label", `Pause ${name}`);
  resume.setAttribute("aria-label", `Resume ${name}`);
  selectButton.addEventListener("click", actions.select);
  pause.addEventListener("click", actions.pause);
  resume.addEventListener("click", actions.resume);
  cancel.addEventListener("click", actions.cancel);

  const paint = (it: UploadItem) => {
    element.dataset.state = it.state;
    if (it.videoId) element.dataset.videoId = it.videoId;
    status.textContent = itemStatus(it);
    const fraction = itemFraction(it);
    fill.style.width = `${fraction * 100}%`;
    bar.setAttribute("aria-valuenow", String(Math.floor(fraction * 100)));
    percent.textContent = formatPercent(fraction);
    pause.hidden = !(it.state === "uploading" || it.state === "waiting");
    resume.hidden = it.state !== "paused";
    const done = it.state === "processing";
    cancel.setAttribute("aria-label", `${done ? "Remove" : "Cancel"} ${name}`);
    cancel.title = done ? "Remove from the list" : "Cancel this upload";
    cancel.disabled = it.state === "completing";
    const videoId = it.submittedVideoId ?? it.videoId;
    watch.hidden = !(done && videoId);
    if (videoId) watch.href = `/watch/${encodeURIComponent(videoId)}`;
  };
  paint(item);
  return {
    element,
    paint,
    setSelected(selected) {
      element.classList.toggle("is-selected", selected);
      selectButton.setAttribute("aria-pressed", String(selected));
    },
  };
}
