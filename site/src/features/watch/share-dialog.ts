/**
 * The watch page's Share dialog (components/share-dialog.astro): the link, "Start at 1:23"
 * (the player's current time, `?t=83`), the embed code (absent when embedding is off) and
 * Copy buttons that fall back to selecting the text where the clipboard is refused.
 */
import type { VideoDto } from "../../lib/api.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { formatDuration } from "../../lib/format.ts";
import { embedCode, watchLink } from "./share-links.ts";

export interface ShareDialog {
  show(video: VideoDto): void;
}

async function copy(field: HTMLInputElement | HTMLTextAreaElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(field.value);
    return true;
  } catch {
    field.focus();
    field.select();
    return false;
  }
}

function embedOffReason(video: VideoDto): string {
  if (video.visibility === "private") return "Private videos can't be embedded.";
  if (!video.playable) return "The embed code is here once the video can play.";
  return "The owner has turned off embedding for this video.";
}

/** `currentTime`: the player's position when the dialog opens. */
export function mountShareDialog(root: HTMLElement, currentTime: () => number): ShareDialog {
  const $ = elementsOf(root, "share dialog");
  const open = $(role("share-open"), HTMLButtonElement);
  const dialog = $(role("share-dialog"), HTMLDialogElement);
  const link = $(role("share-link"), HTMLInputElement);
  const atTime = $(role("share-at-time"), HTMLInputElement);
  const atLabel = $(role("share-at-label"));
  const embed = $(role("share-embed"));
  const code = $(role("share-embed-code"), HTMLTextAreaElement);
  const embedOff = $(role("share-embed-off"));
  const status = $(role("share-status"));
  let video: VideoDto | null = null;
  let openedAt = 0;

  const render = () => {
    if (!video) return;
    const at = atTime.checked ? openedAt : null;
    link.value = watchLink(location.origin, video.id, at);
    code.value = embedCode(location.origin, video, at);
    embed.hidden = video.embeddable === false;
    embedOff.hidden = video.embeddable !== false;
    embedOff.textContent = embedOffReason(video);
  };
  open.addEventListener("click", () => {
    openedAt = Math.floor(currentTime());
    atLabel.textContent = formatDuration(openedAt) || "0:00";
    atTime.checked = false;
    status.textContent = "";
    render();
    dialog.showModal();
  });
  atTime.addEventListener("change", render);
  const copyButton = (name: string, field: HTMLInputElement | HTMLTextAreaElement, what: string) =>
    $(role(name), HTMLButtonElement).addEventListener("click", async () => {
      status.textContent = (await copy(field))
        ? `${what} copied.`
        : `Press Ctrl+C to copy the ${what.toLowerCase()}.`;
    });
  copyButton("share-copy-link", link, "Link");
  copyButton("share-copy-embed", code, "Embed code");
  return {
    show(next) {
      video = next;
      if (dialog.open) render();
    },
  };
}
