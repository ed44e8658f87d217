/**
 * `/admin/fleet` (admins): the transcoder fleet at a glance from `GET /api/admin/fleet/overview`
 * — nodes and their jobs, capacity, queue depth, transcodes in flight, recent failures — and
 * the jobs the jobs queue dead-lettered, each with a Retry button (ADR 0028).
 */
import type { DeadJobDto, FleetFailureDto, FleetJobDto, FleetOverview } from "@streamline/contracts";
import { ApiError, api } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";

/** A registry entry as the transcoder writes it (contracts keep it loose: the fleet owns the shape). */
interface Node {
  nodeId: string;
  capacity: number;
  draining?: boolean;
  lastSeen?: string;
  running: { videoId?: string; attempt?: number; stage?: string; percent?: number }[];
}

function cell(content: string | Node[] | HTMLElement, className = ""): HTMLTableCellElement {
  const td = Object.assign(document.createElement("td"), { className });
  if (typeof content === "string") td.textContent = content;
  else if (content instanceof HTMLElement) td.append(content);
  return td;
}

function when(iso: string | null | undefined): HTMLElement | string {
  if (!iso) return "—";
  return Object.assign(document.createElement("time"), {
    dateTime: iso,
    textContent: new Date(iso).toLocaleString("en"),
  });
}

function rowOf(testid: string, cells: (string | HTMLElement)[], classes: string[] = []): HTMLTableRowElement {
  const tr = document.createElement("tr");
  tr.dataset.testid = testid;
  tr.append(...cells.map((c, i) => cell(c, classes[i] ?? "")));
  return tr;
}

function nodeRow(n: Node): HTMLTableRowElement {
  const jobs = n.running.length
    ? n.running
        .map(
          (j) => `${j.videoId ?? "?"} #${j.attempt ?? "?"}${j.stage ? ` ${j.stage} ${j.percent ?? 0}%` : ""}`,
        )
        .join(", ")
    : "idle";
  return rowOf(
    "fleet-node",
    [n.nodeId, `${n.running.length}/${n.capacity}`, jobs, n.draining ? "draining" : "up", when(n.lastSeen)],
    ["", "tabular", "fleet-wrap", "", "tabular"],
  );
}

function jobRow(j: FleetJobDto): HTMLTableRowElement {
  return rowOf(
    "fleet-job",
    [`${j.title} (${j.videoId})`, j.status, String(j.attempt), when(j.queuedAt), when(j.heartbeatAt)],
    ["fleet-wrap", "", "tabular", "tabular", "tabular"],
  );
}

function failureRow(f: FleetFailureDto): HTMLTableRowElement {
  return rowOf(
    "fleet-failure",
    [
      when(f.failedAt),
      `${f.title} (${f.videoId})`,
      f.failureReason ?? f.failureCode ?? "—",
      String(f.attempt),
    ],
    ["tabular", "fleet-wrap", "fleet-wrap", "tabular"],
  );
}

function deadRow(d: DeadJobDto, onRetry: (d: DeadJobDto, button: HTMLButtonElement) => void) {
  const button = Object.assign(document.createElement("button"), {
    type: "button",
    className: "button button-secondary",
    textContent: "Retry",
  });
  button.dataset.testid = "fleet-retry";
  button.setAttribute("aria-label", `Retry ${d.jobType} job of ${d.subject}`);
  button.onclick = () => onRetry(d, button);
  const row = rowOf(
    "fleet-dead-job",
    [when(d.deadAt), d.jobType, d.subject, String(d.attempt), d.reason, d.requestId ?? "—", button],
    ["tabular", "", "fleet-wrap", "tabular", "fleet-wrap", "fleet-wrap", ""],
  );
  row.dataset.id = d.id;
  return row;
}

function fill(root: HTMLElement, name: string, rows: HTMLTableRowElement[], emptyText: string) {
  const body = elementsOf(root, "fleet page")(role(name), HTMLTableSectionElement);
  body.replaceChildren(...rows);
  if (!rows.length) {
    const td = Object.assign(document.createElement("td"), { textContent: emptyText, colSpan: 7 });
    const tr = document.createElement("tr");
    tr.append(td);
    body.append(tr);
  }
}

function render(root: HTMLElement, o: FleetOverview, onRetry: Parameters<typeof deadRow>[1]): void {
  const $ = elementsOf(root, "fleet page");
  $(role("nodes-count")).textContent = String(o.capacity.nodes);
  $(role("slots")).textContent = `${o.capacity.running}/${o.capacity.slots}`;
  $(role("queue-depth")).textContent = String(o.queue.depth);
  $(role("dead-count")).textContent = String(o.deadJobs.length);
  const fleetError = $(role("fleet-error"));
  fleetError.textContent = o.fleetError ?? "";
  fleetError.hidden = o.fleetError === null;
  fill(root, "nodes", ((o.fleet?.nodes ?? []) as unknown as Node[]).map(nodeRow), "No node answered.");
  fill(root, "jobs", o.inFlight.map(jobRow), "Nothing queued or running.");
  fill(root, "failures", o.recentFailures.map(failureRow), "No failed videos.");
  fill(
    root,
    "dead",
    o.deadJobs.map((d) => deadRow(d, onRetry)),
    "The dead-letter queue is empty.",
  );
}

export function mountFleetPage(root: HTMLElement): void {
  const $ = elementsOf(root, "fleet page");
  const content = $(role("content"));
  const denied = $(role("denied"));
  const error = $(role("error"));
  const status = $(role("status"));
  const setState = (state: "loading" | "ready" | "denied" | "error") => {
    root.dataset.state = state;
    root.setAttribute("aria-busy", String(state === "loading"));
    content.hidden = state !== "ready";
    denied.hidden = state !== "denied";
    error.hidden = state !== "error";
  };
  const fail = (err: unknown) => {
    if (err instanceof ApiError && (err.notFound || err.status === 401)) return setState("denied");
    error.textContent = err instanceof Error ? err.message : String(err);
    setState("error");
  };
  const onRetry = async (d: DeadJobDto, button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      await api.retryDeadJob(d.id);
      status.textContent = `Sent the ${d.jobType} job of ${d.subject} to the fleet again.`;
      await load();
    } catch (err) {
      button.disabled = false;
      status.textContent = `Retry failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  };
  const load = async () => {
    try {
      render(root, await api.fleetOverview(), (d, b) => void onRetry(d, b));
      setState("ready");
    } catch (err) {
      fail(err);
    }
  };
  $(role("refresh"), HTMLButtonElement).onclick = () => void load();
  void authSession.start().then((s) => (s.status === "signed-in" ? load() : setState("denied")));
}
