/**
 * The watch page (`/watch/:id`): the video stage (player, progress, failures) plus the title,
 * details and description under it, filled from every fresh copy of the video the stage loads.
 */
import type { VideoDto } from "../../lib/api.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { formatDuration, formatRelativeTime } from "../../lib/format.ts";
import { mountVideoStage } from "./video-stage.ts";

/** Duration, size, qualities and age, as the list under the title shows them. */
export function metaItems(video: VideoDto): string[] {
  const items: string[] = [];
  const duration = formatDuration(video.durationSec);
  if (duration) items.push(duration);
  if (video.width && video.height) items.push(`${video.width}×${video.height}`);
  const qualities = video.renditions.filter((r) => r.kind !== "audio").map((r) => r.name);
  if (qualities.length) items.push(qualities.join(" · "));
  const created = formatRelativeTime(video.createdAt);
  if (created) items.push(`Uploaded ${created}`);
  return items;
}

export function mountWatchPage(page: HTMLElement): void {
  const $ = elementsOf(page, "watch page");
  const stageRoot = $('[data-testid="player-wrapper"]');
  const title = $(role("title"));
  const meta = $(role("meta"));
  const description = $(role("description"));
  const header = $("header.watch-header");
  const videoId = page.dataset.videoId ?? "";
  let shownTitle = "";

  mountVideoStage(stageRoot, videoId, {
    onVideo(video) {
      header.hidden = false;
      if (video.title !== shownTitle) {
        shownTitle = video.title;
        title.textContent = video.title;
        document.title = `${video.title} · Streamline`;
      }
      meta.replaceChildren(
        ...metaItems(video).map((text) => {
          const li = document.createElement("li");
          li.textContent = text;
          return li;
        }),
      );
      description.textContent = video.description;
      description.hidden = !video.description;
    },
    onNotFound() {
      document.title = "Video not found · Streamline";
      header.hidden = true;
    },
    onLoadError() {
      header.hidden = true;
    },
  });
}
