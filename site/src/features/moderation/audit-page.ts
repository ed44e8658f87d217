/**
 * `/admin/audit`: the append-only audit log (`GET /api/admin/audit`), newest first, as a
 * table: when, who, what, on what, the note, and what the target was at the time.
 */
import type { AuditEntryDto } from "@streamline/contracts";
import { ApiError, api } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { actionLabel } from "./queue-model.ts";

function cell(text: string, className = ""): HTMLTableCellElement {
  return Object.assign(document.createElement("td"), { textContent: text, className });
}

function row(e: AuditEntryDto): HTMLTableRowElement {
  const tr = document.createElement("tr");
  tr.dataset.testid = "audit-row";
  const when = cell("", "tabular");
  when.append(
    Object.assign(document.createElement("time"), {
      dateTime: e.createdAt,
      textContent: new Date(e.createdAt).toLocaleString("en"),
    }),
  );
  tr.append(
    when,
    cell(`@${e.actor}`),
    cell(actionLabel(e.action)),
    cell(`${e.targetType} ${e.targetId}`, "audit-target"),
    cell(e.note || "—"),
    cell(e.snapshot ?? "—", "audit-snapshot"),
  );
  return tr;
}

export function mountAuditPage(root: HTMLElement): void {
  const $ = elementsOf(root, "audit page");
  const body = $(role("rows"), HTMLTableSectionElement);
  const table = $(role("table"));
  const empty = $(role("empty"));
  const denied = $(role("denied"));
  const error = $(role("error"));
  const more = $(role("more"), HTMLButtonElement);
  let cursor: string | null = null;

  const setState = (state: "loading" | "ready" | "empty" | "denied" | "error") => {
    root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "loading"));
    table.hidden = state !== "ready";
    empty.hidden = state !== "empty";
    denied.hidden = state !== "denied";
    error.hidden = state !== "error";
  };

  const load = async () => {
    try {
      const page = await api.audit(cursor);
      body.append(...page.entries.map(row));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      setState(body.children.length ? "ready" : "empty");
    } catch (err) {
      if (err instanceof ApiError && (err.notFound || err.status === 401)) return setState("denied");
      error.textContent = err instanceof Error ? err.message : String(err);
      setState("error");
    }
  };
  more.onclick = () => void load();
  void authSession.start().then((s) => (s.status === "signed-in" ? load() : setState("denied")));
}
