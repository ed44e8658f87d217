/**
 * The upload progress panel: the bar and figures (percent, bytes, speed, time left), one grid
 * cell per part with its state, the parts summary, and a line per part in flight. Part and
 * progress events arrive many times per frame across four parts: this paints once per frame.
 */
import { elementsOf, role } from "../../lib/dom.ts";
import { formatBytes, formatEta, formatPercent, formatRate } from "../../lib/format.ts";
import type { PartStatus, UploadProgress } from "./multipart-upload.ts";

/** Beyond this many parts the grid drops the numbers and shows small squares. */
const DENSE_PART_GRID = 120;

export interface UploadProgressView {
  /** A fresh grid for an upload of `partCount` parts, `done` ones already recorded (resume). */
  reset(partCount: number, partSize: number, size: number, done: Iterable<number>): void;
  onPart(part: Readonly<PartStatus>): void;
  onProgress(progress: UploadProgress): void;
}

function partCell(n: number, state: PartStatus["state"], bytes: number): HTMLLIElement {
  const li = document.createElement("li");
  li.className = "part";
  li.dataset.testid = "part";
  li.dataset.partNumber = String(n);
  li.dataset.state = state;
  li.title = `Part ${n} · ${formatBytes(bytes)}`;
  const fill = document.createElement("span");
  fill.className = "part-fill";
  const label = document.createElement("span");
  label.className = "part-label";
  label.textContent = String(n);
  li.append(fill, label);
  return li;
}

function describeActivePart(part: Readonly<PartStatus>): string {
  if (part.state === "retrying")
    return `retrying (attempt ${part.attempt + 1})${part.error ? `: ${part.error}` : ""}`;
  return [
    `${formatBytes(part.loaded)} of ${formatBytes(part.size)}`,
    formatRate(part.bytesPerSecond),
    formatEta(part.etaSec),
  ]
    .filter((bit) => bit && bit !== "—")
    .join(" · ");
}

/** The "in flight" list, patched in place so rows keep their identity. */
function paintActiveParts(list: HTMLUListElement, active: ReadonlyMap<number, Readonly<PartStatus>>): void {
  const existing = new Map<string, HTMLLIElement>();
  for (const li of list.querySelectorAll<HTMLLIElement>(":scope > li"))
    existing.set(li.dataset.partNumber ?? "", li);
  const rows = [...active.values()]
    .sort((a, b) => a.partNumber - b.partNumber)
    .map((part) => {
      const key = String(part.partNumber);
      let li = existing.get(key);
      existing.delete(key);
      if (!li) {
        li = document.createElement("li");
        li.dataset.testid = "active-part";
        li.dataset.partNumber = key;
        li.innerHTML = '<span class="active-part-name"></span><span class="active-part-detail"></span>';
      }
      li.dataset.state = part.state;
      const $ = elementsOf(li, "active part row");
      $(".active-part-name").textContent = `Part ${part.partNumber}`;
      $(".active-part-detail").textContent = describeActivePart(part);
      return li;
    });
  for (const stale of existing.values()) stale.remove();
  if (rows.some((li, i) => list.children[i] !== li)) list.replaceChildren(...rows);
  list.hidden = rows.length === 0;
}

function partsSummary(partStates: ReadonlyMap<number, PartStatus["state"]>): string {
  const counts = { pending: 0, uploading: 0, retrying: 0, done: 0, failed: 0 };
  for (const state of partStates.values()) counts[state]++;
  const bits = [`${counts.done} of ${partStates.size} done`];
  if (counts.uploading) bits.push(`${counts.uploading} uploading`);
  if (counts.retrying) bits.push(`${counts.retrying} retrying`);
  if (counts.failed) bits.push(`${counts.failed} failed`);
  return bits.join(" · ");
}

function paintPartCell(cell: HTMLLIElement, part: Readonly<PartStatus>): void {
  cell.dataset.state = part.state;
  cell.dataset.attempt = String(part.attempt);
  const fill = cell.firstElementChild as HTMLElement;
  fill.style.setProperty("--p", part.state === "uploading" ? `${(part.loaded / part.size) * 100}%` : "0%");
  cell.title = `Part ${part.partNumber} · ${formatBytes(part.size)} · ${part.state}${part.error ? ` (${part.error})` : ""}`;
}

type ProgressElements = ReturnType<typeof progressElements>;

function progressElements(root: HTMLElement) {
  const $ = elementsOf(root, "upload page");
  return {
    bar: $(role("bar")),
    barFill: $(role("bar-fill")),
    percent: $(role("percent")),
    bytes: $(role("bytes")),
    speed: $(role("speed")),
    eta: $(role("eta")),
    summary: $(role("parts-summary")),
    grid: $(role("part-grid"), HTMLOListElement),
    active: $(role("active-parts"), HTMLUListElement),
  };
}

/** The bar and the figures beside it. */
function paintFigures(el: ProgressElements, p: UploadProgress): void {
  const fraction = p.totalBytes ? p.uploadedBytes / p.totalBytes : 0;
  el.barFill.style.width = `${fraction * 100}%`;
  el.bar.setAttribute("aria-valuenow", String(Math.floor(fraction * 100)));
  el.percent.textContent = formatPercent(fraction);
  el.bytes.textContent = `${formatBytes(p.uploadedBytes)} of ${formatBytes(p.totalBytes)}`;
  el.speed.textContent = formatRate(p.bytesPerSecond);
  el.eta.textContent = formatEta(p.etaSec) || "—";
}

export function mountUploadProgress(root: HTMLElement): UploadProgressView {
  const el = progressElements(root);
  let cells: HTMLLIElement[] = [];
  const partStates = new Map<number, PartStatus["state"]>();
  /** Parts being sent or waiting to be retried, for the per-part speed/ETA lines. */
  const activeParts = new Map<number, Readonly<PartStatus>>();
  let pending: UploadProgress | null = null;
  let frame = 0;

  const renderSummary = () => {
    el.summary.textContent = partsSummary(partStates);
  };
  const paint = () => {
    frame = 0;
    paintActiveParts(el.active, activeParts);
    if (pending) paintFigures(el, pending);
  };
  const paintSoon = () => {
    if (!frame) frame = requestAnimationFrame(paint);
  };

  return {
    reset(partCount, partSize, size, done) {
      const doneSet = new Set(done);
      pending = null;
      el.barFill.style.width = "0%";
      el.grid.classList.toggle("is-dense", partCount > DENSE_PART_GRID);
      partStates.clear();
      activeParts.clear();
      el.active.replaceChildren();
      el.active.hidden = true;
      cells = Array.from({ length: partCount }, (_, i) => {
        const state = doneSet.has(i + 1) ? "done" : "pending";
        partStates.set(i + 1, state);
        return partCell(i + 1, state, Math.min(partSize, size - i * partSize));
      });
      el.grid.replaceChildren(...cells);
      renderSummary();
    },
    onPart(part) {
      const cell = cells[part.partNumber - 1];
      if (!cell) return;
      paintPartCell(cell, part);
      if (partStates.get(part.partNumber) !== part.state) {
        partStates.set(part.partNumber, part.state);
        renderSummary();
      }
      if (part.state === "uploading" || part.state === "retrying") activeParts.set(part.partNumber, part);
      else activeParts.delete(part.partNumber);
      paintSoon();
    },
    onProgress(progress) {
      pending = progress;
      paintSoon();
    },
  };
}
