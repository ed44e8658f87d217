/**
 * The live transcode panel under the player: one row for the whole job and one per rendition
 * (name, percent bar, fps, speed, time left; "ready" once it streams), plus the connection pill.
 * `panelRows` is the pure view model; `renderRenditionPanel` patches the DOM in place so rows
 * keep their identity (and tests can watch `data-percent` change).
 */
import { elementsOf } from "../../lib/dom.ts";
import { formatEta } from "../../lib/format.ts";
import type { ConnectionState, LiveState } from "../../lib/live-progress.ts";
import { stageLabel } from "../../lib/video-status.ts";

export interface PanelRow {
  /** `data-rendition`: a rendition name, or "all" for the whole job. */
  key: string;
  label: string;
  stage: string;
  /** Whole percent, 0–100. */
  percent: number;
  stats: string;
  state: "working" | "ready";
}

const CONNECTION_LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  open: "Live",
  reconnecting: "Reconnecting…",
  closed: "Offline",
};

function stats(p: { fps?: number | undefined; speed?: number | undefined; etaSec?: number | undefined }) {
  return [
    p.fps ? `${Math.round(p.fps)} fps` : "",
    p.speed ? `${p.speed.toFixed(1)}× speed` : "",
    formatEta(p.etaSec),
  ]
    .filter(Boolean)
    .join(" · ");
}

function megabits(bps: number): string {
  return `${(bps / 1_000_000).toFixed(1)} Mb/s`;
}

export function panelRows(state: Readonly<LiveState>): PanelRow[] {
  const rows: PanelRow[] = [];
  if (state.job && !state.terminal) {
    rows.push({
      key: "all",
      label: "All qualities",
      stage: stageLabel(state.job.stage),
      percent: Math.floor(Math.min(100, Math.max(0, state.job.percent))),
      stats: stats(state.job),
      state: "working",
    });
  }
  for (const r of state.renditions) {
    if (r.ready) {
      const detail = r.rendition
        ? `${r.rendition.width}×${r.rendition.height} · ${megabits(r.rendition.bandwidth)}`
        : "";
      rows.push({
        key: r.name,
        label: r.name,
        stage: "Ready to stream",
        percent: 100,
        stats: detail,
        state: "ready",
      });
    } else {
      rows.push({
        key: r.name,
        label: r.name,
        stage: stageLabel(r.stage || "encode"),
        percent: Math.floor(r.percent),
        stats: stats(r),
        state: "working",
      });
    }
  }
  return rows;
}

/** What the panel's heading says about the connection (and the slow fallback, when it runs). */
export function connectionLabel(state: Readonly<LiveState>): string {
  if (state.polling) return "Checking every few seconds";
  return CONNECTION_LABELS[state.connection];
}

export interface RenditionPanelParts {
  panel: HTMLElement;
  list: HTMLOListElement;
  empty: HTMLElement;
  pill: HTMLElement;
  pillText: HTMLElement;
}

function createRow(key: string): HTMLLIElement {
  const li = document.createElement("li");
  li.className = "rendition-row";
  li.dataset.testid = "rendition-progress";
  li.dataset.rendition = key;
  li.innerHTML =
    '<span class="rendition-name"></span><span class="rendition-stage"></span>' +
    '<div class="progress rendition-bar" role="progressbar" aria-valuemin="0" aria-valuemax="100">' +
    '<div class="progress-fill"></div></div><span class="rendition-stats tabular"></span>';
  return li;
}

export function renderRenditionPanel(parts: RenditionPanelParts, state: Readonly<LiveState>): void {
  const { list, empty, pill, pillText } = parts;
  pill.dataset.state = state.connection;
  pill.dataset.polling = String(state.polling);
  pillText.textContent = connectionLabel(state);

  const rows = panelRows(state);
  const existing = new Map<string, HTMLLIElement>();
  for (const li of list.querySelectorAll<HTMLLIElement>(":scope > li")) {
    existing.set(li.dataset.rendition ?? "", li);
  }
  const ordered = rows.map((row) => {
    const li = existing.get(row.key) ?? createRow(row.key);
    existing.delete(row.key);
    li.dataset.percent = String(row.percent);
    li.dataset.state = row.state;
    const $ = elementsOf(li, "rendition row");
    $(".rendition-name").textContent = row.label;
    $(".rendition-stage").textContent = row.stage;
    const bar = $(".rendition-bar");
    bar.setAttribute("aria-valuenow", String(row.percent));
    bar.setAttribute("aria-label", `${row.label}: ${row.stage}`);
    $(".progress-fill").style.width = `${row.percent}%`;
    $(".rendition-stats").textContent =
      row.state === "ready" ? row.stats : [`${row.percent}%`, row.stats].filter(Boolean).join(" · ");
    return li;
  });
  for (const stale of existing.values()) stale.remove();
  // Re-append only when the order changed, so unchanged rows are never detached.
  if (ordered.some((li, i) => list.children[i] !== li)) list.replaceChildren(...ordered);
  empty.hidden = rows.length > 0;
}
