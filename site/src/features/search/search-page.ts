/**
 * `/search?q=` (ADR 0021): results of `GET /api/search` for the page's own query and filters
 * (the chips are server-rendered links). Channels whose name or handle matched come first,
 * then video cards (lib/video-card.ts) whose title and matched snippet mark the words with
 * `<mark>` built from text nodes; "Load more" follows `nextCursor`; no results → suggestions.
 */
import type { ChannelSearchHit, Highlighted, VideoSearchHit } from "@streamline/contracts";
import { api } from "../../lib/api.ts";
import { avatarElement, channelHref } from "../../lib/channel-chip.ts";
import { elementsOf, requireElement, role } from "../../lib/dom.ts";
import { videoCard } from "../../lib/video-card.ts";
import { highlightNodes } from "./highlight-nodes.ts";
import { searchParamsOf } from "./search-filters.ts";

type SearchState = "idle" | "loading" | "ready" | "empty" | "error";

const count = (n: number, one: string, many: string) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

function marked(doc: Document, tag: string, className: string, h: Highlighted): HTMLElement {
  const el = doc.createElement(tag);
  el.className = className;
  el.append(...highlightNodes(doc, h));
  return el;
}

/** One channel result: avatar, highlighted name, @handle, counts and the start of its description. */
function channelRow(doc: Document, c: ChannelSearchHit): HTMLLIElement {
  const li = doc.createElement("li");
  li.className = "search-channel";
  const link = doc.createElement("a");
  link.className = "search-channel-link";
  link.href = channelHref(c.handle);
  link.dataset.testid = "search-channel";
  link.dataset.handle = c.handle;
  const text = doc.createElement("div");
  text.className = "search-channel-text";
  const handle = marked(doc, "span", "search-channel-handle", c.highlight.handle);
  handle.prepend(doc.createTextNode("@"));
  const meta = doc.createElement("p");
  meta.className = "muted search-channel-meta";
  meta.append(
    handle,
    ` · ${count(c.subscriberCount, "subscriber", "subscribers")} · ${count(c.videoCount, "video", "videos")}`,
  );
  text.append(marked(doc, "h2", "search-channel-name", c.highlight.displayName), meta);
  if (c.description) {
    const p = doc.createElement("p");
    p.className = "muted search-channel-description";
    p.textContent = c.description;
    text.append(p);
  }
  link.append(avatarElement(doc, c, "md"), text);
  li.append(link);
  return li;
}

/** A video card with the matched words of its title marked and the best matching snippet below. */
function videoResult(doc: Document, template: HTMLTemplateElement, v: VideoSearchHit, index: number): Node {
  const card = videoCard(template, v, { label: "search card template", withChannel: true, index });
  const fragment = card as DocumentFragment;
  const title = fragment.querySelector<HTMLElement>(role("title"));
  title?.replaceChildren(...highlightNodes(doc, v.highlight.title));
  const snippet = v.highlight.description ?? v.highlight.captions;
  if (snippet) {
    const p = marked(doc, "p", "search-snippet", snippet);
    p.dataset.testid = "search-snippet";
    if (!v.highlight.description) p.prepend(doc.createTextNode("Captions: "));
    fragment.querySelector(".card-body")?.append(p);
  }
  return card;
}

export function mountSearchPage(root: HTMLElement): void {
  const $ = elementsOf(root, "search page");
  const grid = $(role("grid"), HTMLUListElement);
  const channels = $(role("channels"), HTMLUListElement);
  const empty = $(role("empty"));
  const errorBox = $(role("error"));
  const errorMessage = $(role("error-message"));
  const retry = $(role("retry"), HTMLButtonElement);
  const moreWrap = $(role("more-wrap"));
  const more = $(role("more"), HTMLButtonElement);
  const template = requireElement(document, "#search-card-template", HTMLTemplateElement, "search page");
  const params = searchParamsOf(new URLSearchParams(location.search));
  const skeletons = grid.innerHTML;
  let cursor: string | null = null;

  const setState = (state: SearchState) => {
    root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "loading"));
    grid.hidden = state === "empty" || state === "error" || state === "idle" || grid.children.length === 0;
    if (state === "loading") grid.hidden = false;
    channels.hidden = channels.children.length === 0 || state === "error";
    empty.hidden = state !== "empty";
    errorBox.hidden = state !== "error";
  };

  const page = async (first: boolean) => {
    if (first) {
      grid.innerHTML = skeletons;
      channels.replaceChildren();
      setState("loading");
    }
    more.disabled = true;
    try {
      const res = await api.search(params, first ? null : cursor);
      cursor = res.nextCursor;
      const offset = first ? 0 : grid.children.length;
      const cards = res.videos.map((v, i) => videoResult(document, template, v, offset + i));
      const rows = res.channels.map((c) => channelRow(document, c));
      // Later pages carry channels only for type=channel (the ones on top come with the first).
      grid[first ? "replaceChildren" : "append"](...cards);
      channels[first ? "replaceChildren" : "append"](...rows);
      setState(grid.children.length || channels.children.length ? "ready" : "empty");
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
  if (params.get("q")) void page(true);
  else setState("idle");
}
