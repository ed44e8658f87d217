/**
 * The watch page (`/watch/:id`): the video stage (player, progress, failures) plus the title,
 * details, description (links and seeking timestamps: description.ts) and chapters under it,
 * filled from every fresh copy of the video the stage loads. `?t=83` starts playback there.
 */
import type { VideoDto } from "../../lib/api.ts";
import { channelChip } from "../../lib/channel-chip.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { formatDuration, formatRelativeTime } from "../../lib/format.ts";
import { renderChapters, renderDescription, startTimeOf } from "../../lib/linked-text.ts";
import { mountComments } from "../comments/comments-section.ts";
import { mountReactions } from "../reactions/reaction-buttons.ts";
import { mountVideoStage } from "./video-stage.ts";
import { mountViewing } from "./watch-viewing.ts";

/** Views, duration, size, qualities and age, as the list under the title shows them. */
export function metaItems(video: VideoDto): string[] {
  const items: string[] = [
    `${video.viewCount.toLocaleString("en-US")} ${video.viewCount === 1 ? "view" : "views"}`,
  ];
  const duration = formatDuration(video.durationSec);
  if (duration) items.push(duration);
  if (video.width && video.height) items.push(`${video.width}×${video.height}`);
  const qualities = video.renditions.filter((r) => r.kind !== "audio").map((r) => r.name);
  if (qualities.length) items.push(qualities.join(" · "));
  const created = formatRelativeTime(video.createdAt);
  if (created) items.push(`Uploaded ${created}`);
  return items;
}

interface About {
  description: HTMLElement;
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
  return {
    description: $(role("description")),
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

export function mountWatchPage(page: HTMLElement): void {
  const $ = elementsOf(page, "watch page");
  const stageRoot = $('[data-testid="player-wrapper"]');
  const title = $(role("title"));
  const meta = $(role("meta"));
  const channelSlot = $(role("channel"));
  const about = mountAbout(page, stageRoot);
  const header = $("header.watch-header");
  const videoId = page.dataset.videoId ?? "";
  const reactions = mountReactions($(role("reactions")), $(role("reaction-error")), videoId);
  const comments = mountComments($(role("comments")), videoId);
  const viewing = mountViewing(page, stageRoot);
  let shownTitle = "";

  mountVideoStage(stageRoot, videoId, {
    onVideo(video) {
      header.hidden = false;
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
      showDescription(about, video);
      viewing.show(video);
      reactions.show(video);
      comments.show(video);
    },
    onNotFound() {
      document.title = "Video not found · Streamline";
      header.hidden = true;
      comments.hide();
    },
    onLoadError() {
      header.hidden = true;
      comments.hide();
    },
  });
}
