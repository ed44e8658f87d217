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
import {
  browserLiveProgressDeps,
  createLiveProgress,
  type LiveProgress,
  type LiveState,
} from "../../lib/live-progress.ts";
import { takeStudioFlash } from "./studio-flash.ts";
import { appendPage, IN_FLIGHT, STUDIO_PAGE_SIZE } from "./studio-model.ts";
import { renderStudioRow } from "./studio-row.ts";

/** Sockets open at once; more in-flight videos than this show their loaded status only. */
const MAX_LIVE_FEEDS = 6;

type PageState = "loading" | "ready" | "empty" | "error";

/** The list as loaded so far: the videos in order, their rows, and the feeds being followed. */
interface StudioList {
  readonly root: HTMLElement;
  readonly el: ReturnType<typeof studioElements>;
  videos: VideoDto[];
  cursor: string | null;
  readonly rows: Map<string, HTMLLIElement>;
  readonly feeds: Map<string, LiveProgress>;
}

export function mountStudioPage(root: HTMLElement): void {
  const list: StudioList = {
    root,
    el: studioElements(root),
    videos: [],
    cursor: null,
    rows: new Map(),
    feeds: new Map(),
  };
  showFlash(list.el.notice);
  list.el.more.addEventListener("click", () => void loadMore(list));
  list.el.retry.addEventListener("click", () => void loadFirst(list));
  window.addEventListener("pagehide", () => {
    for (const feed of list.feeds.values()) feed.stop();
    list.feeds.clear();
  });
  void loadFirst(list);
}

function studioElements(root: HTMLElement) {
  const $ = elementsOf(root, "studio page");
  return {
    list: $(role("list"), HTMLUListElement),
    moreWrap: $(role("more-wrap")),
    more: $(role("more"), HTMLButtonElement),
    empty: $(role("empty")),
    errorBox: $(role("error")),
    errorMessage: $(role("error-message")),
    retry: $(role("retry"), HTMLButtonElement),
    notice: $(role("notice")),
    template: requireElement(document, "#studio-row-template", HTMLTemplateElement, "studio page"),
  };
}

/** Back from deleting a video on its manage page (a one-shot message, never read from the URL). */
function showFlash(notice: HTMLElement) {
  const flash = takeStudioFlash();
  if (!flash) return;
  notice.textContent = flash;
  notice.hidden = false;
}

function setState({ root, el, cursor }: StudioList, state: PageState) {
  root.dataset.state = state;
  root.setAttribute("aria-busy", String(state === "loading"));
  el.list.hidden = state === "empty" || state === "error";
  el.empty.hidden = state !== "empty";
  el.errorBox.hidden = state !== "error";
  el.moreWrap.hidden = state !== "ready" || cursor === null;
}

async function loadFirst(list: StudioList) {
  setState(list, "loading");
  try {
    const state = await authSession.start();
    if (state.status === "anonymous") return; // the layout sends the visitor to /login
    const { videos: page, nextCursor } = await api.myVideos({ limit: STUDIO_PAGE_SIZE });
    list.videos = page;
    list.cursor = nextCursor;
    list.el.list.replaceChildren();
    list.rows.clear();
    addRows(list, page);
    setState(list, page.length ? "ready" : "empty");
  } catch (err) {
    list.el.errorMessage.textContent = err instanceof Error ? err.message : String(err);
    setState(list, "error");
  }
}

async function loadMore(list: StudioList) {
  const { more, notice } = list.el;
  const cursor = list.cursor;
  if (cursor === null) return;
  more.disabled = true;
  more.textContent = "Loading…";
  try {
    const { videos: page, nextCursor } = await api.myVideos({ limit: STUDIO_PAGE_SIZE, cursor });
    const firstNew = page.find((v) => !list.rows.has(v.id));
    list.videos = appendPage(list.videos, page);
    list.cursor = nextCursor;
    addRows(list, page);
    setState(list, "ready");
    // Keyboard users continue from the first new video rather than the top of the page.
    if (firstNew) list.rows.get(firstNew.id)?.querySelector<HTMLElement>('[data-role="title"]')?.focus();
  } catch (err) {
    notice.textContent = `Couldn't load more videos: ${err instanceof Error ? err.message : String(err)}`;
    notice.hidden = false;
  } finally {
    more.disabled = false;
    more.textContent = "Load more";
  }
}

function addRows(list: StudioList, page: VideoDto[]) {
  for (const video of page) {
    if (list.rows.has(video.id)) continue;
    const fragment = list.el.template.content.cloneNode(true) as DocumentFragment;
    const li = requireElement(fragment, "li", HTMLLIElement, "studio row template");
    renderStudioRow(li, video);
    list.rows.set(video.id, li);
    list.el.list.append(li);
    follow(list, video);
  }
}

function replaceVideo(list: StudioList, video: VideoDto) {
  list.videos = list.videos.map((v) => (v.id === video.id ? video : v));
  const li = list.rows.get(video.id);
  if (li) renderStudioRow(li, video);
}

function removeVideo(list: StudioList, id: string) {
  list.videos = list.videos.filter((v) => v.id !== id);
  list.rows.get(id)?.remove();
  list.rows.delete(id);
  list.feeds.get(id)?.stop();
  list.feeds.delete(id);
  if (list.videos.length === 0) setState(list, "empty");
}

/** Follows an in-flight video's feed while fewer than MAX_LIVE_FEEDS are open. */
function follow(list: StudioList, video: VideoDto) {
  const { feeds } = list;
  if (!IN_FLIGHT.has(video.status) || feeds.has(video.id) || feeds.size >= MAX_LIVE_FEEDS) return;
  const feed = createLiveProgress(video.id, browserLiveProgressDeps(), { initial: video });
  feeds.set(video.id, feed);
  let current = video;
  feed.subscribe((state, event) => {
    if (event.type === "gone") return removeVideo(list, video.id);
    if (event.type === "video") current = event.video;
    const li = list.rows.get(video.id);
    if (!li) return;
    renderStudioRow(li, liveCopy(current, state), state);
    if (state.terminal) feedFinished(list, feed, video.id);
  });
  feed.start();
}

function liveCopy(video: VideoDto, state: Readonly<LiveState>): VideoDto {
  return {
    ...video,
    status: state.status ?? video.status,
    playable: state.playable,
    ...(state.failureReason ? { failureReason: state.failureReason } : {}),
  };
}

function feedFinished(list: StudioList, feed: LiveProgress, id: string) {
  feed.stop();
  list.feeds.delete(id);
  // The finished video: duration, poster, renditions. Then maybe follow another one.
  void api
    .getVideo(id)
    .then((video) => replaceVideo(list, video))
    .catch(() => undefined)
    .finally(() => {
      for (const v of list.videos) follow(list, v);
    });
}
