/**
 * `/admin`: the moderators' report queue (`GET /api/admin/reports`), grouped by target,
 * oldest first, with the content as it is now, the reports and their reasons, a note and the
 * actions that fit (queue-model.ts). Open and resolved tabs. Anyone else sees "not found",
 * as the API answers them.
 */
import type { ReportGroupDto, ReportStatus } from "@streamline/contracts";
import { ApiError, api } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { type ActionButton, actionsFor, groupSummary, reasonLabel } from "./queue-model.ts";

const messageOf = (err: unknown) =>
  err instanceof ApiError ? err.message : "Something went wrong. Please try again.";

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}) {
  return Object.assign(document.createElement(tag), props) as HTMLElementTagNameMap[K];
}

function contentBlock(group: ReportGroupDto): HTMLElement {
  const box = el("div", { className: "mod-content" });
  const kind = el("span", { className: "badge", textContent: group.targetType });
  const title = group.content.link
    ? el("a", { href: group.content.link, textContent: group.content.title ?? "(untitled)" })
    : el("strong", { textContent: group.content.gone ? "Removed or deleted" : (group.content.title ?? "") });
  const head = el("p", { className: "mod-title" });
  head.append(kind, " ", title);
  box.append(head);
  if (group.content.body)
    box.append(el("blockquote", { className: "mod-body", textContent: group.content.body }));
  const facts: string[] = [];
  if (group.owner) facts.push(`by @${group.owner.handle}`);
  if (group.owner?.suspended) facts.push(`suspended: ${group.owner.suspended.reason}`);
  if (group.content.takenDown) facts.push(`taken down: ${group.content.takenDown.reason}`);
  facts.push(groupSummary(group));
  box.append(el("p", { className: "muted mod-facts", textContent: facts.join(" · ") }));
  return box;
}

function reportList(group: ReportGroupDto): HTMLElement {
  const list = el("ul", { className: "mod-reports" });
  for (const r of group.reports) {
    const item = el("li");
    const who = r.reporter ? `@${r.reporter}` : "a deleted account";
    item.append(el("strong", { textContent: reasonLabel(r.reason) }), ` — ${who}`);
    if (r.resolution) item.append(el("span", { className: "muted", textContent: ` (${r.resolution})` }));
    if (r.details) item.append(el("p", { className: "mod-details", textContent: r.details }));
    list.append(item);
  }
  return list;
}

async function run(group: ReportGroupDto, button: ActionButton, note: string): Promise<void> {
  const open = group.reports.find((r) => r.status === "open");
  if (button.action === "restore_video") await api.restoreVideo(group.targetId, note);
  else if (button.action === "restore_user") await api.restoreUser(group.owner!.handle, note);
  else await api.resolveReport(open!.id, button.action, note);
}

function groupCard(group: ReportGroupDto, reload: () => void): HTMLElement {
  const card = el("li", { className: "panel mod-group" });
  card.dataset.testid = "mod-group";
  card.dataset.target = `${group.targetType}:${group.targetId}`;
  card.append(contentBlock(group), reportList(group));
  const buttons = actionsFor(group);
  if (!buttons.length) return card;
  const noteId = `note-${group.targetType}-${group.targetId}`;
  const label = el("label", {
    className: "field-label",
    htmlFor: noteId,
    textContent: "Note (the owner sees it)",
  });
  const note = el("textarea", { id: noteId, className: "input mod-note", rows: 2, maxLength: 1000 });
  note.dataset.testid = "mod-note";
  const error = el("p", { className: "notice notice-error", hidden: true });
  error.setAttribute("role", "alert");
  const row = el("div", { className: "mod-actions" });
  for (const b of buttons) {
    const btn = el("button", {
      type: "button",
      className: `button ${b.danger ? "button-danger" : "button-secondary"}`,
      textContent: b.label,
    });
    btn.dataset.testid = `mod-${b.action}`;
    btn.onclick = async () => {
      const text = note.value.trim();
      if (b.needsNote && !text) {
        error.textContent = "Write a note: it is the reason the owner is shown.";
        error.hidden = false;
        note.focus();
        return;
      }
      for (const other of row.querySelectorAll("button")) other.disabled = true;
      try {
        await run(group, b, text);
        reload();
      } catch (err) {
        error.textContent = messageOf(err);
        error.hidden = false;
        for (const other of row.querySelectorAll("button")) other.disabled = false;
      }
    };
    row.append(btn);
  }
  card.append(label, note, error, row);
  return card;
}

export function mountAdminPage(root: HTMLElement): void {
  const $ = elementsOf(root, "admin page");
  const list = $(role("list"), HTMLOListElement);
  const empty = $(role("empty"));
  const denied = $(role("denied"));
  const error = $(role("error"));
  const more = $(role("more"), HTMLButtonElement);
  const tabs = [...root.querySelectorAll<HTMLButtonElement>("[data-status]")];
  let status: ReportStatus = "open";
  let cursor: string | null = null;

  const setState = (state: "loading" | "ready" | "empty" | "denied" | "error") => {
    root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "loading"));
    empty.hidden = state !== "empty";
    denied.hidden = state !== "denied";
    error.hidden = state !== "error";
  };

  const load = async (append = false) => {
    if (!append) {
      cursor = null;
      list.replaceChildren();
      setState("loading");
    }
    try {
      const page = await api.adminReports(status, cursor);
      for (const g of page.groups) list.append(groupCard(g, () => void load()));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      setState(list.children.length ? "ready" : "empty");
    } catch (err) {
      if (err instanceof ApiError && (err.notFound || err.status === 401)) return setState("denied");
      error.textContent = messageOf(err);
      setState("error");
    }
  };

  for (const tab of tabs) {
    tab.onclick = () => {
      status = tab.dataset.status as ReportStatus;
      for (const t of tabs) t.setAttribute("aria-pressed", String(t === tab));
      void load();
    };
  }
  more.onclick = () => void load(true);
  void authSession.start().then((s) => (s.status === "signed-in" ? load() : setState("denied")));
}
