/**
 * The channel page's client side (`/c/:handle`): the Videos / About tabs, the Videos tab's
 * pages from `GET /api/channels/:handle/videos` (newest or popular, "Load more" follows
 * `nextCursor`), and the "Customize channel" link for the channel's owner.
 */
import { api, type ChannelVideoSort } from "../../lib/api.ts";
import { type AuthState, authSession } from "../../lib/auth-session.ts";
import { elementsOf, requireElement, role } from "../../lib/dom.ts";
import { videoCard } from "../../lib/video-card.ts";

const PAGE_SIZE = 12;

type ListState = "loading" | "ready" | "empty" | "error";

interface VideoList {
  readonly handle: string;
  readonly panel: HTMLElement;
  readonly el: ReturnType<typeof listElements>;
  readonly template: HTMLTemplateElement;
  sort: ChannelVideoSort;
  cursor: string | null;
  /** Bumped on every sort change, so a late page of the previous sort is dropped. */
  generation: number;
}

function listElements(panel: HTMLElement) {
  const $ = elementsOf(panel, "channel videos");
  return {
    grid: $(role("grid"), HTMLUListElement),
    empty: $(role("empty")),
    error: $(role("error")),
    errorMessage: $(role("error-message")),
    retry: $(role("retry"), HTMLButtonElement),
    moreWrap: $(role("more-wrap")),
    more: $(role("more"), HTMLButtonElement),
  };
}

function setListState(list: VideoList, state: ListState, hasMore = false) {
  const { el, panel } = list;
  panel.dataset.state = state;
  panel.setAttribute("aria-busy", String(state === "loading"));
  el.empty.hidden = state !== "empty";
  el.error.hidden = state !== "error";
  el.moreWrap.hidden = !(state === "ready" && hasMore);
  el.more.disabled = state === "loading";
}

async function loadPage(list: VideoList, first: boolean) {
  const generation = first ? ++list.generation : list.generation;
  if (first) {
    list.cursor = null;
    list.el.grid.replaceChildren();
  }
  setListState(list, "loading");
  try {
    const page = await api.channelVideos(list.handle, {
      sort: list.sort,
      cursor: list.cursor,
      limit: PAGE_SIZE,
    });
    if (generation !== list.generation) return;
    list.cursor = page.nextCursor;
    list.el.grid.append(
      ...page.videos.map((v) =>
        videoCard(list.template, v, { label: "channel card template", withChannel: false }),
      ),
    );
    const none = list.el.grid.childElementCount === 0;
    setListState(list, none ? "empty" : "ready", page.nextCursor !== null);
  } catch (err) {
    if (generation !== list.generation) return;
    list.el.errorMessage.textContent = err instanceof Error ? err.message : String(err);
    setListState(list, "error");
  }
}

function mountSort(list: VideoList) {
  const buttons = [...list.panel.querySelectorAll<HTMLButtonElement>("[data-sort]")];
  for (const button of buttons) {
    button.addEventListener("click", () => {
      const sort = button.dataset.sort as ChannelVideoSort;
      if (sort === list.sort) return;
      list.sort = sort;
      for (const b of buttons) b.setAttribute("aria-pressed", String(b === button));
      void loadPage(list, true);
    });
  }
}

/** WAI-ARIA tabs: click or arrow keys select; the selected tab's panel shows. */
export function mountTabs(root: HTMLElement): void {
  const tabs = [...root.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  const select = (tab: HTMLButtonElement, focus: boolean) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      const panel = root.querySelector<HTMLElement>(`#${t.getAttribute("aria-controls")}`);
      if (panel) panel.hidden = !on;
    }
    if (focus) tab.focus();
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab, false));
    tab.addEventListener("keydown", (event) => {
      const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      if (step) select(tabs[(i + step + tabs.length) % tabs.length]!, true);
    });
  });
}

export function mountChannelPage(root: HTMLElement): void {
  const handle = root.dataset.handle ?? "";
  const panel = requireElement(root, "#panel-videos", HTMLElement, "channel page");
  const list: VideoList = {
    handle,
    panel,
    el: listElements(panel),
    template: requireElement(document, "#channel-card-template", HTMLTemplateElement, "channel page"),
    sort: "newest",
    cursor: null,
    generation: 0,
  };
  mountTabs(root);
  mountSort(list);
  list.el.more.addEventListener("click", () => void loadPage(list, false));
  list.el.retry.addEventListener("click", () => void loadPage(list, list.cursor === null));
  const edit = root.querySelector<HTMLElement>('[data-testid="channel-edit"]');
  // The owner gets the way to the editor: now if the session is known, else once it is.
  const showEdit = (state: AuthState) => {
    if (edit) edit.hidden = state.user?.handle !== handle;
  };
  authSession.subscribe(showEdit);
  showEdit(authSession.state());
  void loadPage(list, true);
}
