/**
 * `/feed` (ADR 0017): new public videos from the caller's subscriptions, newest first, from
 * `GET /api/feed`; "Load more" follows `nextCursor`; an empty feed suggests channels to find.
 */
import { api, type VideoDto } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { channelChip } from "../../lib/channel-chip.ts";
import { elementsOf, requireElement, role } from "../../lib/dom.ts";
import { formatDuration, formatRelativeTime } from "../../lib/format.ts";

type FeedState = "loading" | "ready" | "empty" | "error";

export function feedCard(template: HTMLTemplateElement, video: VideoDto): Node {
  const node = template.content.cloneNode(true) as DocumentFragment;
  const $ = elementsOf(node, "feed card template");
  const link = $("a", HTMLAnchorElement);
  link.href = `/watch/${encodeURIComponent(video.id)}`;
  link.dataset.videoId = video.id;
  $(role("title")).textContent = video.title;
  const duration = $(role("duration"));
  duration.textContent = formatDuration(video.durationSec);
  duration.hidden = !duration.textContent;
  const views = video.viewCount ?? 0;
  $(role("meta")).textContent = [
    `${views.toLocaleString("en")} ${views === 1 ? "view" : "views"}`,
    formatRelativeTime(video.publishedAt ?? video.createdAt),
  ].join(" · ");
  const chip = channelChip(document, video.channel);
  if (chip) $(role("channel")).append(chip);
  if (video.thumbnailUrl) {
    const img = $("img", HTMLImageElement);
    img.src = video.thumbnailUrl;
    img.hidden = false;
    img.addEventListener("error", () => (img.hidden = true), { once: true });
  }
  return node;
}

export function mountFeedPage(root: HTMLElement): void {
  const $ = elementsOf(root, "feed page");
  const grid = $(role("grid"), HTMLUListElement);
  const empty = $(role("empty"));
  const errorBox = $(role("error"));
  const errorMessage = $(role("error-message"));
  const retry = $(role("retry"), HTMLButtonElement);
  const moreWrap = $(role("more-wrap"));
  const more = $(role("more"), HTMLButtonElement);
  const template = requireElement(document, "#feed-card-template", HTMLTemplateElement, "feed page");
  const skeletons = grid.innerHTML;
  let cursor: string | null = null;
  let started = false;

  const setState = (state: FeedState) => {
    root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "loading"));
    grid.hidden = state === "empty" || state === "error";
    empty.hidden = state !== "empty";
    errorBox.hidden = state !== "error";
  };

  const page = async (first: boolean) => {
    if (first) {
      setState("loading");
      grid.innerHTML = skeletons;
    }
    more.disabled = true;
    try {
      const { videos, nextCursor } = await api.feed(first ? null : cursor);
      cursor = nextCursor;
      const cards = videos.map((v) => feedCard(template, v));
      if (first) grid.replaceChildren(...cards);
      else grid.append(...cards);
      setState(grid.children.length ? "ready" : "empty");
    } catch (err) {
      errorMessage.textContent = err instanceof Error ? err.message : String(err);
      if (first) setState("error");
    } finally {
      more.disabled = false;
      moreWrap.hidden = !cursor;
    }
  };

  retry.addEventListener("click", () => void page(true));
  more.addEventListener("click", () => void page(false));
  const start = (status: string) => {
    if (status !== "signed-in" || started) return;
    started = true;
    void page(true);
  };
  start(authSession.state().status);
  authSession.subscribe((state) => start(state.status));
}
