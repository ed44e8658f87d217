/**
 * The studio list (`/studio`): the caller's videos from `GET /api/me/videos`, newest first,
 * a page at a time ("Load more" asks for the ones created before the last shown). Videos
 * still uploading, queued or processing follow their WebSocket feed (`live-progress.ts`),
 * so their status and progress move without a reload; a few at a time, the rest keep the
 * status they were loaded with.
 */
import { api, type VideoDto } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, requireElement, role } from "../../lib/dom.ts";
import { formatDuration, formatRelativeTime } from "../../lib/format.ts";
import { browserLiveProgressDeps, createLiveProgress, type LiveProgress } from "../../lib/live-progress.ts";
import { posterFile } from "./poster-upload.ts";
import { takeStudioFlash } from "./studio-flash.ts";
import { appendPage, IN_FLIGHT, STUDIO_PAGE_SIZE, statusView, VISIBILITY } from "./studio-model.ts";

/** Sockets open at once; more in-flight videos than this show their loaded status only. */
const MAX_LIVE_FEEDS = 6;

type PageState = "loading" | "ready" | "empty" | "error";

export function mountStudioPage(root: HTMLElement): void {
  const $ = elementsOf(root, "studio page");
  const list = $(role("list"), HTMLUListElement);
  const moreWrap = $(role("more-wrap"));
  const more = $(role("more"), HTMLButtonElement);
  const empty = $(role("empty"));
  const errorBox = $(role("error"));
  const errorMessage = $(role("error-message"));
  const retry = $(role("retry"), HTMLButtonElement);
  const notice = $(role("notice"));
  const template = requireElement(document, "#studio-row-template", HTMLTemplateElement, "studio page");

  let videos: VideoDto[] = [];
  let cursor: string | null = null;
  const rows = new Map<string, HTMLLIElement>();
  const feeds = new Map<string, LiveProgress>();

  // Back from deleting a video on its manage page (a one-shot message, never read from the URL).
  const flash = takeStudioFlash();
  if (flash) {
    notice.textContent = flash;
    notice.hidden = false;
  }

  const setState = (state: PageState) => {
    root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "loading"));
    list.hidden = state === "empty" || state === "error";
    empty.hidden = state !== "empty";
    errorBox.hidden = state !== "error";
    moreWrap.hidden = state !== "ready" || cursor === null;
  };

  const renderRow = (li: HTMLLIElement, video: VideoDto, live?: Parameters<typeof statusView>[1]) => {
    const manageHref = `/studio/${encodeURIComponent(video.id)}`;
    li.dataset.videoId = video.id;
    li.dataset.status = video.status;
    li.dataset.visibility = video.visibility;
    const $ = elementsOf(li, "studio row");
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

    const img = $("img", HTMLImageElement);
    if (video.thumbnailUrl) {
      // Tokens change on every read: only swap the image when the file changes.
      const file = posterFile(video.thumbnailUrl) ?? "";
      if (img.dataset.file !== file) {
        img.dataset.file = file;
        img.src = video.thumbnailUrl;
        img.hidden = false;
        img.onerror = () => {
          img.hidden = true;
        };
      }
    } else {
      img.hidden = true;
    }
    const duration = $(role("duration"));
    duration.textContent = formatDuration(video.durationSec);
    duration.hidden = !duration.textContent;

    const view = statusView(video, live);
    const status = $(role("status"));
    status.textContent = view.label;
    status.dataset.tone = view.tone;
    $(role("visibility")).textContent = VISIBILITY[video.visibility].label;
    $(role("created")).textContent = `Uploaded ${formatRelativeTime(video.createdAt)}`;

    const progress = $(role("progress"));
    const fill = $(role("progress-fill"));
    progress.hidden = view.percent === undefined;
    progress.classList.toggle("is-indeterminate", view.percent === null);
    if (typeof view.percent === "number") {
      fill.style.width = `${view.percent}%`;
      progress.setAttribute("role", "progressbar");
      progress.setAttribute("aria-label", `${video.title}: ${view.label}`);
      progress.setAttribute("aria-valuenow", String(Math.round(view.percent)));
      progress.setAttribute("aria-valuemin", "0");
      progress.setAttribute("aria-valuemax", "100");
    } else {
      fill.style.removeProperty("width");
      progress.removeAttribute("role");
      progress.removeAttribute("aria-valuenow");
    }
    const detail = $(role("detail"));
    detail.textContent = view.detail;
    detail.hidden = !view.detail;
  };

  const replaceVideo = (video: VideoDto) => {
    videos = videos.map((v) => (v.id === video.id ? video : v));
    const li = rows.get(video.id);
    if (li) renderRow(li, video);
  };

  const removeVideo = (id: string) => {
    videos = videos.filter((v) => v.id !== id);
    rows.get(id)?.remove();
    rows.delete(id);
    feeds.get(id)?.stop();
    feeds.delete(id);
    if (videos.length === 0) setState("empty");
  };

  const follow = (video: VideoDto) => {
    if (!IN_FLIGHT.has(video.status) || feeds.has(video.id) || feeds.size >= MAX_LIVE_FEEDS) return;
    const feed = createLiveProgress(video.id, browserLiveProgressDeps(), { initial: video });
    feeds.set(video.id, feed);
    let current = video;
    feed.subscribe((state, event) => {
      if (event.type === "gone") return removeVideo(video.id);
      if (event.type === "video") current = event.video;
      const li = rows.get(video.id);
      if (!li) return;
      const merged: VideoDto = {
        ...current,
        status: state.status ?? current.status,
        playable: state.playable,
        ...(state.failureReason ? { failureReason: state.failureReason } : {}),
      };
      renderRow(li, merged, state);
      if (state.terminal) {
        feed.stop();
        feeds.delete(video.id);
        // The finished video: duration, poster, renditions. Then maybe follow another one.
        void api
          .getVideo(video.id)
          .then(replaceVideo)
          .catch(() => undefined)
          .finally(() => {
            for (const v of videos) follow(v);
          });
      }
    });
    feed.start();
  };

  const addRows = (page: VideoDto[]) => {
    for (const video of page) {
      if (rows.has(video.id)) continue;
      const fragment = template.content.cloneNode(true) as DocumentFragment;
      const li = requireElement(fragment, "li", HTMLLIElement, "studio row template");
      renderRow(li, video);
      rows.set(video.id, li);
      list.append(li);
      follow(video);
    }
  };

  const loadFirst = async () => {
    setState("loading");
    try {
      const state = await authSession.start();
      if (state.status === "anonymous") return; // the layout sends the visitor to /login
      const { videos: page, nextCursor } = await api.myVideos({ limit: STUDIO_PAGE_SIZE });
      videos = page;
      cursor = nextCursor;
      list.replaceChildren();
      rows.clear();
      addRows(page);
      setState(page.length ? "ready" : "empty");
    } catch (err) {
      errorMessage.textContent = err instanceof Error ? err.message : String(err);
      setState("error");
    }
  };

  more.addEventListener("click", async () => {
    if (cursor === null) return;
    more.disabled = true;
    more.textContent = "Loading…";
    try {
      const { videos: page, nextCursor } = await api.myVideos({ limit: STUDIO_PAGE_SIZE, cursor });
      const firstNew = page.find((v) => !rows.has(v.id));
      videos = appendPage(videos, page);
      cursor = nextCursor;
      addRows(page);
      setState("ready");
      // Keyboard users continue from the first new video rather than the top of the page.
      if (firstNew) rows.get(firstNew.id)?.querySelector<HTMLElement>('[data-role="title"]')?.focus();
    } catch (err) {
      notice.textContent = `Couldn't load more videos: ${err instanceof Error ? err.message : String(err)}`;
      notice.hidden = false;
    } finally {
      more.disabled = false;
      more.textContent = "Load more";
    }
  });

  retry.addEventListener("click", () => void loadFirst());
  window.addEventListener("pagehide", () => {
    for (const feed of feeds.values()) feed.stop();
    feeds.clear();
  });
  void loadFirst();
}
