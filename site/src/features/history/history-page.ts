/**
 * `/history`: the signed-in viewer's watch history (`GET /api/me/history`), newest first,
 * a page at a time ("Load more"); remove one, clear all (asks first), and pause or resume
 * recording (`historyPaused` of `/api/me/preferences`).
 */
import { ApiError, api, type HistoryItem } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, requireElement, role } from "../../lib/dom.ts";
import { historyRow } from "./history-item.ts";

type PageState = "loading" | "ready" | "empty" | "error";

interface HistoryView {
  root: HTMLElement;
  list: HTMLOListElement;
  more: HTMLButtonElement;
  empty: HTMLElement;
  error: HTMLElement;
  errorMessage: HTMLElement;
  actionError: HTMLElement;
  clear: HTMLButtonElement;
  pause: HTMLInputElement;
  pausedNote: HTMLElement;
  template: HTMLTemplateElement;
}

const messageOf = (err: unknown) =>
  err instanceof ApiError ? err.message : "Something went wrong. Please try again.";

function viewOf(root: HTMLElement): HistoryView {
  const $ = elementsOf(root, "history page");
  return {
    root,
    list: $(role("list"), HTMLOListElement),
    more: $(role("more"), HTMLButtonElement),
    empty: $(role("empty")),
    error: $(role("error")),
    errorMessage: $(role("error-message")),
    actionError: $(role("action-error")),
    clear: $(role("clear"), HTMLButtonElement),
    pause: $(role("pause"), HTMLInputElement),
    pausedNote: $(role("paused-note")),
    template: requireElement(document, "#history-item-template", HTMLTemplateElement, "history page"),
  };
}

function setState(v: HistoryView, state: PageState): void {
  v.root.dataset.state = state;
  v.root.setAttribute("aria-busy", String(state === "loading"));
  v.empty.hidden = state !== "empty";
  v.error.hidden = state !== "error";
  v.clear.disabled = state !== "ready";
}

function showActionError(v: HistoryView, err: unknown | null): void {
  v.actionError.textContent = err === null ? "" : messageOf(err);
  v.actionError.hidden = err === null;
}

export function mountHistoryPage(root: HTMLElement): void {
  const v = viewOf(root);
  let cursor: string | null = null;

  const row = (item: HistoryItem) =>
    historyRow(v.template, item, async () => {
      try {
        await api.removeFromHistory(item.video.id);
        v.list.querySelector(`[data-video-id="${CSS.escape(item.video.id)}"]`)?.remove();
        showActionError(v, null);
        if (!v.list.children.length && !cursor) setState(v, "empty");
      } catch (err) {
        showActionError(v, err);
      }
    });

  const loadPage = async (first: boolean) => {
    if (first) setState(v, "loading");
    v.more.disabled = true;
    try {
      const page = await api.history(first ? null : cursor);
      cursor = page.nextCursor;
      if (first) v.list.replaceChildren();
      v.list.append(...page.items.map(row));
      v.more.hidden = !cursor;
      setState(v, v.list.children.length ? "ready" : "empty");
    } catch (err) {
      if (!first) return showActionError(v, err);
      v.errorMessage.textContent = messageOf(err);
      setState(v, "error");
    } finally {
      v.more.disabled = false;
    }
  };

  /** Signed in → the first page; the session could not be reached (offline, 429, 5xx) → the error state. */
  const open = async (state: { status: string }) => {
    if (state.status === "signed-in") return loadPage(true);
    if (state.status !== "error") return; // anonymous: the layout sends the visitor to /login
    v.errorMessage.textContent = "Couldn't reach your session. Check your connection and try again.";
    setState(v, "error");
  };

  v.more.addEventListener("click", () => void loadPage(false));
  requireElement(root, role("retry"), HTMLButtonElement, "history page").addEventListener("click", () => {
    setState(v, "loading");
    void (async () => {
      if (authSession.state().status !== "signed-in") await authSession.refresh();
      await open(authSession.state());
    })();
  });
  mountClearAll(v, () => {
    cursor = null;
  });
  mountPauseToggle(v);
  void authSession.start().then(open);
}

/** "Clear all" (asks first); `onCleared` forgets the paging cursor. */
function mountClearAll(v: HistoryView, onCleared: () => void): void {
  v.clear.addEventListener("click", async () => {
    if (!confirm("Clear your whole watch history? Resume points go too.")) return;
    try {
      await api.clearHistory();
      onCleared();
      v.list.replaceChildren();
      v.more.hidden = true;
      showActionError(v, null);
      setState(v, "empty");
    } catch (err) {
      showActionError(v, err);
    }
  });
}

function mountPauseToggle(v: HistoryView): void {
  const show = (paused: boolean) => {
    v.pause.checked = paused;
    v.pausedNote.hidden = !paused;
  };
  v.pause.addEventListener("change", async () => {
    const wanted = v.pause.checked;
    v.pause.disabled = true;
    try {
      show((await api.updatePreferences({ historyPaused: wanted })).historyPaused);
      showActionError(v, null);
    } catch (err) {
      show(!wanted);
      showActionError(v, err);
    } finally {
      v.pause.disabled = false;
    }
  });
  void (async () => {
    const state = await authSession.start();
    if (state.status !== "signed-in") return;
    try {
      show((await api.getPreferences()).historyPaused);
      v.pause.disabled = false;
    } catch (err) {
      showActionError(v, err);
    }
  })();
}
