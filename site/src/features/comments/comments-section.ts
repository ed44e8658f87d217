/**
 * The comments under a video (ADR 0015): top or newest first with "Load more", threads with
 * one reply level (replies load on demand), writing, replying, editing, deleting, liking,
 * and the owner's pin / approve. The composer shows only to signed-in, verified callers;
 * others see why they cannot write (sign in, verify your email, comments off).
 */
import { ApiError, api, type CommentDto, type CommentSort, type VideoDto } from "../../lib/api.ts";
import { authSession, loginUrl } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { commentItem, inlineComposer, type Viewer } from "./comment-view.ts";

const messageOf = (err: unknown) => (err instanceof ApiError ? err.message : "Something went wrong.");

export interface CommentsSection {
  show(video: VideoDto): void;
  hide(): void;
}

interface State {
  video: VideoDto | null;
  viewer: Viewer;
  sort: CommentSort;
  cursor: string | null;
  comments: Map<string, CommentDto>;
  /** Cursors of threads whose replies were opened (null: all loaded). */
  replyCursors: Map<string, string | null>;
  loading: boolean;
  /** The count moved on this page (a post, a delete): later copies of the video keep it. */
  countedHere?: boolean;
}

function parts(root: HTMLElement) {
  const $ = elementsOf(root, "comments");
  return {
    count: $(role("comment-count")),
    sort: $(role("sort"), HTMLSelectElement),
    composer: $(role("composer"), HTMLFormElement),
    composerText: $(role("composer-text"), HTMLTextAreaElement),
    composerStatus: $(role("composer-status")),
    signIn: $(role("sign-in-note")),
    signInLink: $(role("sign-in-link"), HTMLAnchorElement),
    verify: $(role("verify-note")),
    off: $(role("off-note")),
    list: $(role("list"), HTMLOListElement),
    empty: $(role("empty")),
    error: $(role("error")),
    more: $(role("more"), HTMLButtonElement),
  };
}
type Parts = ReturnType<typeof parts>;

export function mountComments(root: HTMLElement, videoId: string): CommentsSection {
  const ui = parts(root);
  const s: State = {
    video: null,
    viewer: { signedIn: false, canWrite: false, owner: false },
    sort: "top",
    cursor: null,
    comments: new Map(),
    replyCursors: new Map(),
    loading: false,
  };
  ui.sort.value = s.sort;
  ui.sort.addEventListener("change", () => {
    s.sort = ui.sort.value === "newest" ? "newest" : "top";
    void loadPage(s, ui, videoId, true);
  });
  ui.more.addEventListener("click", () => void loadPage(s, ui, videoId, false));
  ui.composer.addEventListener("submit", (e) => {
    e.preventDefault();
    void postTopLevel(s, ui, videoId);
  });
  ui.list.addEventListener("click", (e) => void onListClick(s, ui, videoId, e));
  ui.list.addEventListener("submit", (e) => {
    e.preventDefault();
    void onInlineSubmit(s, ui, videoId, e.target as HTMLFormElement);
  });
  return {
    show(video) {
      const first = s.video === null;
      // A copy fetched before the viewer posted or deleted here (the viewer's own copy
      // arriving after the server-rendered one) must not take the count back.
      const count = s.video && s.countedHere ? s.video.commentCount : video.commentCount;
      s.video = { ...video, commentCount: count };
      root.hidden = false;
      paintCount(ui, count);
      if (first) void start(s, ui, videoId);
    },
    hide() {
      root.hidden = true;
    },
  };
}

function paintCount(ui: Parts, n: number): void {
  ui.count.textContent = n === 1 ? "1 comment" : `${n.toLocaleString("en")} comments`;
}

async function start(s: State, ui: Parts, videoId: string): Promise<void> {
  const session = await authSession.start();
  const video = s.video!;
  const signedIn = session.status === "signed-in";
  const verified = !!session.user?.emailVerified;
  const open = video.commentsMode !== "off";
  s.viewer = { signedIn, owner: video.owned, canWrite: signedIn && verified && open };
  ui.off.hidden = open;
  ui.composer.hidden = !s.viewer.canWrite;
  ui.signIn.hidden = signedIn || !open;
  ui.signInLink.href = loginUrl(location.pathname + location.search);
  ui.verify.hidden = !signedIn || verified || !open;
  ui.sort.closest("label")!.hidden = !open && !video.owned;
  if (open || video.owned) await loadPage(s, ui, videoId, true);
  else ui.list.replaceChildren();
}

async function loadPage(s: State, ui: Parts, videoId: string, reset: boolean): Promise<void> {
  if (s.loading) return;
  s.loading = true;
  ui.error.hidden = true;
  ui.more.disabled = true;
  try {
    const page = await api.listComments(videoId, s.sort, reset ? null : s.cursor);
    if (reset) {
      ui.list.replaceChildren();
      s.comments.clear();
      s.replyCursors.clear();
    }
    for (const c of page.comments) {
      if (s.comments.has(c.id)) continue; // a like can move a comment across pages of "top"
      s.comments.set(c.id, c);
      ui.list.append(commentItem(document, c, s.viewer));
    }
    s.cursor = page.nextCursor;
    ui.more.hidden = !page.nextCursor;
    ui.empty.hidden = s.comments.size > 0;
    ui.list.closest("section")!.dataset.state = "ready";
  } catch (err) {
    ui.error.textContent = `Couldn't load comments: ${messageOf(err)}`;
    ui.error.hidden = false;
  } finally {
    s.loading = false;
    ui.more.disabled = false;
  }
}

async function postTopLevel(s: State, ui: Parts, videoId: string): Promise<void> {
  const text = ui.composerText.value.trim();
  if (!text) return;
  const submit = ui.composer.querySelector<HTMLButtonElement>("button[type=submit]")!;
  submit.disabled = true;
  ui.composerStatus.textContent = "Posting…";
  try {
    const c = await api.postComment(videoId, text);
    s.comments.set(c.id, c);
    const pinned = ui.list.querySelector(".comment[data-pinned]");
    ui.list.insertBefore(
      commentItem(document, c, s.viewer),
      pinned ? pinned.nextSibling : ui.list.firstChild,
    );
    ui.composerText.value = "";
    ui.empty.hidden = true;
    ui.composerStatus.textContent = c.held ? "Your comment is held for review by the channel." : "";
    if (!c.held) bumpCount(s, ui, 1);
  } catch (err) {
    ui.composerStatus.textContent = messageOf(err);
  } finally {
    submit.disabled = false;
  }
}

function bumpCount(s: State, ui: Parts, delta: number): void {
  if (!s.video) return;
  s.countedHere = true;
  s.video = { ...s.video, commentCount: Math.max(0, s.video.commentCount + delta) };
  paintCount(ui, s.video.commentCount);
}

const itemOf = (node: Element) => node.closest<HTMLLIElement>("li.comment");
const threadOf = (item: HTMLLIElement) =>
  item.classList.contains("comment-reply") ? itemOf(item.parentElement!)! : item;

async function onListClick(s: State, ui: Parts, videoId: string, e: Event): Promise<void> {
  const button = (e.target as Element).closest<HTMLButtonElement>("button[data-action]");
  const item = button && itemOf(button);
  if (!button || !item) return;
  const c = s.comments.get(item.dataset.commentId ?? "");
  const action = button.dataset.action;
  if (action === "cancel") return void button.closest("form")?.remove();
  if (!c) return;
  const handlers: Record<string, () => Promise<void> | void> = {
    like: () => toggleLike(s, item, c),
    reply: () => openComposer(item, "reply", `Reply to @${c.author?.handle ?? ""}`),
    edit: () => openComposer(item, "edit", "Edit your comment", c.text),
    delete: () => removeComment(s, ui, item, c),
    pin: () => pin(s, ui, videoId, c),
    approve: () => approve(s, ui, item, c),
    replies: () => toggleReplies(s, item, c, button),
    "more-replies": () => loadReplies(s, item, c),
  };
  await handlers[action ?? ""]?.();
}

function openComposer(item: HTMLLIElement, kind: "reply" | "edit", placeholder: string, text?: string): void {
  const slot = item.querySelector<HTMLElement>(":scope > .comment-main > [data-role=slot]")!;
  const form = inlineComposer(document, { kind, placeholder, ...(text === undefined ? {} : { text }) });
  slot.replaceChildren(form);
  form.querySelector("textarea")!.focus();
}

async function onInlineSubmit(s: State, ui: Parts, videoId: string, form: HTMLFormElement): Promise<void> {
  const item = itemOf(form);
  const c = item && s.comments.get(item.dataset.commentId ?? "");
  const area = form.querySelector("textarea");
  const status = form.querySelector<HTMLElement>(".composer-status");
  const text = area?.value.trim() ?? "";
  if (!item || !c || !text || !status) return;
  status.textContent = form.dataset.kind === "reply" ? "Posting…" : "Saving…";
  try {
    if (form.dataset.kind === "edit") {
      const saved = await api.editComment(c.id, text);
      s.comments.set(saved.id, saved);
      item.replaceWith(commentItem(document, saved, s.viewer));
    } else {
      const reply = await api.postComment(videoId, text, c.id);
      s.comments.set(reply.id, reply);
      const thread = threadOf(item);
      thread
        .querySelector<HTMLOListElement>("[data-role=replies]")!
        .append(commentItem(document, reply, s.viewer));
      form.remove();
      if (!reply.held) bumpCount(s, ui, 1);
    }
  } catch (err) {
    status.textContent = messageOf(err);
  }
}

async function toggleLike(s: State, item: HTMLLIElement, c: CommentDto): Promise<void> {
  const button = item.querySelector<HTMLButtonElement>(
    ":scope > .comment-main > .comment-actions [data-action=like]",
  )!;
  button.disabled = true;
  try {
    const result = await api.likeComment(c.id, !c.liked);
    const next = { ...c, liked: result.liked, likeCount: result.likeCount };
    s.comments.set(c.id, next);
    button.setAttribute("aria-pressed", String(result.liked));
    button.setAttribute("aria-label", `Like (${result.likeCount})`);
    button.querySelector("[data-role=like-count]")!.textContent = result.likeCount
      ? String(result.likeCount)
      : "";
  } catch (err) {
    item.title = messageOf(err);
  } finally {
    button.disabled = false;
  }
}

async function removeComment(s: State, ui: Parts, item: HTMLLIElement, c: CommentDto): Promise<void> {
  if (!confirm(c.parentId ? "Delete this reply?" : "Delete this comment and its replies?")) return;
  try {
    await api.deleteComment(c.id);
    item.remove();
    s.comments.delete(c.id);
    if (!c.held) bumpCount(s, ui, -(1 + (c.parentId ? 0 : c.replyCount)));
    ui.empty.hidden = s.comments.size > 0;
  } catch (err) {
    item.title = messageOf(err);
  }
}

async function pin(s: State, ui: Parts, videoId: string, c: CommentDto): Promise<void> {
  try {
    await api.pinComment(c.id, !c.pinned);
    await loadPage(s, ui, videoId, true);
  } catch (err) {
    ui.error.textContent = messageOf(err);
    ui.error.hidden = false;
  }
}

async function approve(s: State, ui: Parts, item: HTMLLIElement, c: CommentDto): Promise<void> {
  try {
    const saved = await api.approveComment(c.id);
    s.comments.set(saved.id, saved);
    item.replaceWith(commentItem(document, saved, s.viewer));
    bumpCount(s, ui, 1);
  } catch (err) {
    item.title = messageOf(err);
  }
}

async function toggleReplies(s: State, item: HTMLLIElement, c: CommentDto, button: HTMLButtonElement) {
  const list = item.querySelector<HTMLOListElement>("[data-role=replies]")!;
  const open = button.getAttribute("aria-expanded") === "true";
  button.setAttribute("aria-expanded", String(!open));
  button.dataset.label ??= button.textContent ?? "";
  button.textContent = open ? button.dataset.label : "Hide replies";
  list.hidden = open;
  if (!open && !s.replyCursors.has(c.id)) await loadReplies(s, item, c);
}

async function loadReplies(s: State, item: HTMLLIElement, c: CommentDto): Promise<void> {
  const list = item.querySelector<HTMLOListElement>("[data-role=replies]")!;
  const more = item.querySelector<HTMLButtonElement>(":scope > .comment-main > [data-action=more-replies]")!;
  try {
    const page = await api.listReplies(c.id, s.replyCursors.get(c.id) ?? null);
    for (const r of page.comments) {
      if (s.comments.has(r.id)) continue;
      s.comments.set(r.id, r);
      list.append(commentItem(document, r, s.viewer));
    }
    s.replyCursors.set(c.id, page.nextCursor);
    more.hidden = !page.nextCursor;
  } catch (err) {
    more.hidden = false;
    more.title = messageOf(err);
  }
}
