/**
 * The home page (`/`): the newest public videos from `GET /api/videos`, drawn from the
 * `#video-card-template` card; skeleton cards while loading, an empty state, a retry on errors.
 */
import { api, type VideoDto } from "../../lib/api.ts";
import { channelChip } from "../../lib/channel-chip.ts";
import { elementsOf, requireElement, role } from "../../lib/dom.ts";
import { formatDuration, formatRelativeTime } from "../../lib/format.ts";

type HomeState = "loading" | "ready" | "empty" | "error";

function videoCard(template: HTMLTemplateElement, video: VideoDto): Node {
  const node = template.content.cloneNode(true) as DocumentFragment;
  const $ = elementsOf(node, "video card template");
  const link = $("a", HTMLAnchorElement);
  link.href = `/watch/${encodeURIComponent(video.id)}`;
  link.dataset.videoId = video.id;
  $(".card-title").textContent = video.title;
  const duration = formatDuration(video.durationSec);
  const badge = $(".card-duration");
  badge.textContent = duration;
  badge.hidden = !duration;
  const meta = [video.height ? `${video.height}p` : "", formatRelativeTime(video.createdAt)].filter(Boolean);
  $(".card-meta").textContent = meta.join(" · ");
  const chip = channelChip(document, video.channel);
  if (chip) $(role("channel")).append(chip);
  if (video.thumbnailUrl) {
    const img = $("img", HTMLImageElement);
    img.src = video.thumbnailUrl;
    img.hidden = false;
    img.addEventListener("error", () => {
      img.hidden = true;
    });
  }
  return node;
}

export function mountHomePage(root: HTMLElement): void {
  const $ = elementsOf(root, "home page");
  const grid = $(role("grid"), HTMLUListElement);
  const empty = $(role("empty"));
  const errorBox = $(role("error"));
  const errorMessage = $(role("error-message"));
  const retry = $(role("retry"), HTMLButtonElement);
  const template = requireElement(document, "#video-card-template", HTMLTemplateElement, "home page");
  const skeletons = grid.innerHTML;

  const setState = (state: HomeState) => {
    root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "loading"));
    grid.hidden = state === "empty" || state === "error";
    empty.hidden = state !== "empty";
    errorBox.hidden = state !== "error";
  };

  const load = async () => {
    setState("loading");
    grid.innerHTML = skeletons;
    try {
      const { videos } = await api.listVideos(24);
      grid.replaceChildren(...videos.map((video) => videoCard(template, video)));
      setState(videos.length ? "ready" : "empty");
    } catch (err) {
      errorMessage.textContent = err instanceof Error ? err.message : String(err);
      setState("error");
    }
  };

  retry.addEventListener("click", () => void load());
  void load();
}
