/**
 * The watch page (`/watch/:id`): the video stage (player, progress, failures) plus the title,
 * channel, details, description (three lines until "more"; links and seeking timestamps) and
 * chapters, the share dialog, up next with autoplay-next, reactions and comments — filled
 * from every fresh copy of the video the stage loads. `?t=83` / `?t=1m23s` start playback there.
 */
import type { VideoDto } from "../../lib/api.ts";
import { channelChip } from "../../lib/channel-chip.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { renderChapters, renderDescription, startTimeOf } from "../../lib/linked-text.ts";
import { mountComments } from "../comments/comments-section.ts";
import { mountReactions } from "../reactions/reaction-buttons.ts";
import { mountAutoplayNext } from "./autoplay-next.ts";
import { metaItems, readPageCopy } from "./page-copy.ts";
import { mountShareDialog } from "./share-dialog.ts";
import { mountUpNext } from "./up-next.ts";
import { mountVideoStage } from "./video-stage.ts";
import { mountViewing } from "./watch-viewing.ts";

interface About {
  description: HTMLElement;
  toggle: HTMLButtonElement;
  chapters: HTMLElement;
  chapterList: HTMLOListElement;
  /** The description and chapters last rendered (a fresh copy of the video re-renders only on change). */
  shown: string;
}

/** Seeks the player: timestamp and chapter links, and `?t=` on arrival (once the media is there). */
function mountSeeking(page: HTMLElement, stageRoot: HTMLElement): void {
  const video = stageRoot.querySelector("video");
  if (!video) return;
  const seek = (sec: number) => {
    video.currentTime = sec;
    void video.play().catch(() => undefined);
  };
  page.addEventListener("click", (event) => {
    const link = (event.target as Element).closest<HTMLAnchorElement>("a[data-seek]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    const sec = Number(link.dataset.seek);
    const url = new URL(location.href);
    url.searchParams.set("t", String(sec));
    history.replaceState(history.state, "", url);
    seek(sec);
    stageRoot.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });
  const start = startTimeOf(location.search);
  if (start !== null) {
    video.addEventListener("loadedmetadata", () => (video.currentTime = start), { once: true });
  }
}

function mountAbout(page: HTMLElement, stageRoot: HTMLElement): About {
  const $ = elementsOf(page, "watch page");
  mountSeeking(page, stageRoot);
  const description = $(role("description"));
  const toggle = $(role("description-toggle"), HTMLButtonElement);
  const expand = (open: boolean) => {
    description.toggleAttribute("data-collapsed", !open);
    toggle.textContent = open ? "less" : "more";
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle.addEventListener("click", () => expand(description.hasAttribute("data-collapsed")));
  // A click on the collapsed text (not on one of its links) opens it, as on other video sites.
  description.addEventListener("click", (event) => {
    if (description.hasAttribute("data-collapsed") && !(event.target as Element).closest("a")) expand(true);
  });
  return {
    description,
    toggle,
    chapters: $(role("chapters")),
    chapterList: $(role("chapter-list"), HTMLOListElement),
    shown: "",
  };
}

function showDescription(about: About, video: VideoDto): void {
  const key = JSON.stringify([video.description, video.chapters ?? []]);
  if (key === about.shown) return;
  about.shown = key;
  about.description.replaceChildren(renderDescription(document, video.description));
  about.description.hidden = !video.description;
  // "more" only when three lines hide something (measured collapsed, after layout).
  about.description.toggleAttribute("data-collapsed", true);
  about.toggle.textContent = "more";
  about.toggle.setAttribute("aria-expanded", "false");
  requestAnimationFrame(() => {
    const { description } = about;
    about.toggle.hidden = description.hidden || description.scrollHeight <= description.clientHeight + 1;
  });
  about.chapterList.replaceChildren(...renderChapters(document, video.chapters ?? []));
  about.chapters.hidden = !video.chapters?.length;
}

/** The video's channel under the title; repainted only when it changes (onVideo runs on every refresh). */
function showChannel(slot: HTMLElement, video: VideoDto): void {
  const key = JSON.stringify(video.channel);
  if (slot.dataset.key === key) return;
  slot.dataset.key = key;
  const chip = channelChip(document, video.channel, "md");
  slot.replaceChildren(...(chip ? [chip] : []));
  slot.hidden = !chip;
}

/** Title, channel and the details line: repainted from every fresh copy of the video. */
function mountHeading(page: HTMLElement): (video: VideoDto) => void {
  const $ = elementsOf(page, "watch page");
  const title = $(role("title"));
  const meta = $(role("meta"));
  const channelSlot = $(role("channel"));
  let shownTitle = "";
  return (video) => {
    if (video.title !== shownTitle) {
      shownTitle = video.title;
      title.textContent = video.title;
      document.title = `${video.title} · Streamline`;
    }
    showChannel(channelSlot, video);
    meta.replaceChildren(
      ...metaItems(video).map((text) => {
        const li = document.createElement("li");
        li.textContent = text;
        return li;
      }),
    );
  };
}

/** Up next, autoplay-next over the player, and the share dialog (which asks the player's time). */
function mountAround(page: HTMLElement, stageRoot: HTMLElement) {
  const $ = elementsOf(page, "watch page");
  const media = stageRoot.querySelector("video");
  const upNext = mountUpNext($(role("up-next")));
  if (media) mountAutoplayNext($(role("autoplay-overlay")), media, upNext);
  const share = mountShareDialog($(role("action-row")), () => media?.currentTime ?? 0);
  return { upNext, share };
}

export function mountWatchPage(page: HTMLElement): void {
  performance.mark("sl:watch-mount");
  const $ = elementsOf(page, "watch page");
  const stageRoot = $('[data-testid="player-wrapper"]');
  const videoId = page.dataset.videoId ?? "";
  // The server's anonymous copy (a public video): the player starts on it while the viewer's
  // loads (hls.js is already on its way: the page's first script asked for it).
  const initial = readPageCopy(page.dataset.initial, videoId);
  const about = mountAbout(page, stageRoot);
  const gone = [$(".watch-info"), $(role("up-next"))];
  const heading = mountHeading(page);
  const reactions = mountReactions($(role("reactions")), $(role("reaction-error")), videoId);
  const comments = mountComments($(role("comments")), videoId);
  const viewing = mountViewing(page, stageRoot);
  const { upNext, share } = mountAround(page, stageRoot);
  const hide = () => {
    for (const el of gone) el.hidden = true;
    comments.hide();
  };

  mountVideoStage(stageRoot, videoId, {
    ...(initial ? { initial, viewerCopy: true } : {}),
    startAt: startTimeOf(location.search),
    onVideo(video) {
      for (const el of gone) el.hidden = false;
      heading(video);
      showDescription(about, video);
      viewing.show(video);
      reactions.show(video);
      comments.show(video);
      share.show(video);
      upNext.show(video);
    },
    onNotFound() {
      document.title = "Video not found · Streamline";
      hide();
    },
    onLoadError: hide,
  });
}
