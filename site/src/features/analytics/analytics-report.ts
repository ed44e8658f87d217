/**
 * An analytics report on a page (ADR 0023): the range selector (7/28/90 days, custom), the
 * totals, the daily chart with its table of the same numbers, sources, devices, and either
 * the top videos (channel) or the retention curve (video). `load` asks the API.
 */
import type { AnalyticsDay, AnalyticsSlice, ChannelAnalytics, VideoAnalytics } from "@streamline/contracts";
import { ApiError } from "../../lib/api.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { formatDuration } from "../../lib/format.ts";
import { barChart, formatValue, retentionChart, type Series } from "./analytics-charts.ts";
import { customRange, type DayRange, presetRange } from "./range.ts";

export type Report = ChannelAnalytics | VideoAnalytics;
type Metric = "views" | "watch";

const SOURCE_LABELS: Record<string, string> = {
  direct: "Direct or unknown",
  search: "Search",
  embed: "Embedded players",
  channel: "Channel pages",
  up_next: "Up next",
  feed: "Subscriptions feed",
  browse: "Browse (home, trending)",
  external: "Other websites",
};
const DEVICE_LABELS: Record<string, string> = {
  phone: "Phone",
  tablet: "Tablet",
  desktop: "Computer",
  tv: "TV",
};

/** Watch time in minutes, or in hours when a day reaches two hours. */
function watchUnit(days: AnalyticsDay[]): { unit: "minutes" | "hours"; per: number } {
  const most = Math.max(0, ...days.map((d) => d.watchSec));
  return most >= 7200 ? { unit: "hours", per: 3600 } : { unit: "minutes", per: 60 };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function seriesOf(report: Report, metric: Metric): Series {
  const days = report.days.map((d) => d.day);
  if (metric === "views") return { days, values: report.days.map((d) => d.views), unit: "views" };
  const { unit, per } = watchUnit(report.days);
  return { days, values: report.days.map((d) => round1(d.watchSec / per)), unit };
}

function reportElements(root: HTMLElement) {
  const $ = elementsOf(root, "analytics");
  return {
    presets: [...root.querySelectorAll<HTMLButtonElement>("[data-range]")],
    custom: $(role("custom"), HTMLFormElement),
    customError: $(role("custom-error")),
    rangeLabel: $(role("range-label")),
    totals: $(role("totals")),
    metrics: [...root.querySelectorAll<HTMLButtonElement>("[data-metric]")],
    chart: $(role("chart")),
    table: $(role("table"), HTMLTableElement),
    sources: $(role("sources")),
    devices: $(role("devices")),
    status: $(role("status")),
    error: $(role("error")),
    errorMessage: $(role("error-message")),
    retry: $(role("retry"), HTMLButtonElement),
  };
}
type Els = ReturnType<typeof reportElements>;

export function mountAnalyticsReport(
  root: HTMLElement,
  load: (range: DayRange, signal: AbortSignal) => Promise<Report>,
  extra: (report: Report) => void = () => undefined,
): void {
  const el = reportElements(root);
  let range = presetRange(28);
  let metric: Metric = "views";
  let report: Report | null = null;
  let inflight: AbortController | null = null;

  const draw = () => {
    if (!report) return;
    renderChart(el, report, metric);
  };
  const refresh = async () => {
    inflight?.abort();
    const ac = new AbortController();
    inflight = ac;
    root.setAttribute("aria-busy", "true");
    root.dataset.state = "loading";
    el.error.hidden = true;
    try {
      report = await load(range, ac.signal);
      if (ac.signal.aborted) return;
      renderReport(el, report, metric);
      extra(report);
      root.dataset.state = "ready";
    } catch (err) {
      if (ac.signal.aborted) return;
      root.dataset.state = "error";
      el.errorMessage.textContent = err instanceof ApiError ? err.message : "Couldn't load the report.";
      el.error.hidden = false;
    } finally {
      if (inflight === ac) root.removeAttribute("aria-busy");
    }
  };
  wireRange(el, (next) => {
    range = next;
    void refresh();
  });
  for (const b of el.metrics) {
    b.addEventListener("click", () => {
      metric = b.dataset.metric === "watch" ? "watch" : "views";
      for (const m of el.metrics) m.setAttribute("aria-pressed", String(m === b));
      draw();
    });
  }
  el.retry.addEventListener("click", () => void refresh());
  void refresh();
}

function wireRange(el: Els, pick: (r: DayRange) => void) {
  const press = (target: HTMLButtonElement) => {
    for (const b of el.presets) b.setAttribute("aria-pressed", String(b === target));
  };
  for (const b of el.presets) {
    b.addEventListener("click", () => {
      press(b);
      const days = Number(b.dataset.range);
      el.custom.hidden = b.dataset.range !== "custom";
      if (days > 0) pick(presetRange(days));
      else (el.custom.elements.namedItem("from") as HTMLInputElement | null)?.focus();
    });
  }
  el.custom.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(el.custom);
    const r = customRange(String(data.get("from") ?? ""), String(data.get("to") ?? ""));
    el.customError.textContent = typeof r === "string" ? r : "";
    if (typeof r !== "string") pick(r);
  });
}

const dayLabel = (day: string) =>
  new Date(`${day}T00:00:00Z`).toLocaleDateString("en", {
    year: "numeric",
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });

function renderReport(el: Els, report: Report, metric: Metric) {
  el.rangeLabel.textContent = `${dayLabel(report.from)} – ${dayLabel(report.to)} (UTC)`;
  renderTotals(el, report);
  renderChart(el, report, metric);
  renderTable(el, report);
  renderSlices(el.sources, report.sources, SOURCE_LABELS, "source");
  renderSlices(el.devices, report.devices, DEVICE_LABELS, "device");
  el.status.textContent = `Report updated: ${report.totals.views} views from ${dayLabel(report.from)} to ${dayLabel(report.to)}.`;
}

function renderTotals(el: Els, report: Report) {
  const t = report.totals;
  const { unit, per } = watchUnit(report.days);
  const cards: [string, string, string][] = [
    ["views", "Views", formatValue(t.views)],
    ["watch", `Watch time (${unit})`, formatValue(round1(t.watchSec / per))],
    ["avg-duration", "Average view duration", formatDuration(t.avgViewDurationSec) || "0:00"],
    [
      "avg-percent",
      "Average percentage viewed",
      t.avgPercentViewed === null ? "—" : `${round1(t.avgPercentViewed)}%`,
    ],
    ["likes", "Likes", formatValue(t.likes)],
    ["comments", "Comments", formatValue(t.comments)],
  ];
  if ("topVideos" in report) {
    cards.push(["subs", "Subscribers", `+${t.subscribersGained} / −${t.subscribersLost}`]);
  }
  el.totals.replaceChildren(
    ...cards.map(([key, label, value]) => {
      const card = document.createElement("div");
      card.className = "card";
      card.dataset.total = key;
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.className = "tabular";
      dd.textContent = value;
      card.append(dt, dd);
      return card;
    }),
  );
}

function renderChart(el: Els, report: Report, metric: Metric) {
  const series = seriesOf(report, metric);
  const label = `${metric === "views" ? "Views" : `Watch time in ${series.unit}`} per day, ${dayLabel(report.from)} to ${dayLabel(report.to)}. The table below lists the same numbers.`;
  const svg = barChart(series, label);
  svg.dataset.testid = "analytics-chart-svg";
  svg.dataset.metric = metric;
  el.chart.replaceChildren(svg);
}

function cell(tag: "td" | "th", text: string, numeric = true) {
  const c = document.createElement(tag);
  c.textContent = text;
  if (numeric) c.className = "tabular num";
  if (tag === "th") c.scope = "row";
  return c;
}

function renderTable(el: Els, report: Report) {
  const channel = "topVideos" in report;
  const { unit, per } = watchUnit(report.days);
  const head = [
    "Day",
    "Views",
    `Watch time (${unit})`,
    "Likes",
    "Comments",
    ...(channel ? ["Subscribers +", "Subscribers −"] : []),
  ];
  const thead = document.createElement("thead");
  const hr = document.createElement("tr");
  for (const h of head) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    hr.append(th);
  }
  thead.append(hr);
  const tbody = document.createElement("tbody");
  for (const d of report.days) {
    const tr = document.createElement("tr");
    tr.dataset.day = d.day;
    tr.append(
      cell("th", dayLabel(d.day), false),
      cell("td", formatValue(d.views)),
      cell("td", formatValue(round1(d.watchSec / per))),
      cell("td", formatValue(d.likes)),
      cell("td", formatValue(d.comments)),
    );
    if (channel)
      tr.append(cell("td", formatValue(d.subscribersGained)), cell("td", formatValue(d.subscribersLost)));
    tbody.append(tr);
  }
  el.table.replaceChildren(el.table.caption ?? document.createElement("caption"), thead, tbody);
}

/** Sources or devices as a list of labelled bars, with the numbers written out. */
function renderSlices(
  list: HTMLElement,
  slices: AnalyticsSlice[],
  labels: Record<string, string>,
  kind: string,
) {
  const total = slices.reduce((n, s) => n + s.views, 0);
  list.replaceChildren(
    ...slices.map((s) => {
      const li = document.createElement("li");
      li.dataset[kind] = s.key;
      const share = total > 0 ? (s.views / total) * 100 : 0;
      const name = document.createElement("span");
      name.className = "slice-name";
      name.textContent = labels[s.key] ?? s.key;
      const value = document.createElement("span");
      value.className = "slice-value tabular";
      value.textContent = `${formatValue(s.views)} ${s.views === 1 ? "view" : "views"} · ${Math.round(share)}%`;
      const bar = document.createElement("span");
      bar.className = "slice-bar";
      bar.setAttribute("aria-hidden", "true");
      bar.style.setProperty("--share", `${share}%`);
      li.append(name, value, bar);
      return li;
    }),
  );
}

/** The retention figure (video reports): the curve and its table, or a sentence when empty. */
export function renderRetention(
  container: HTMLElement,
  table: HTMLTableElement,
  empty: HTMLElement,
  report: VideoAnalytics,
) {
  const points = report.retention;
  empty.hidden = points.length > 0;
  container.replaceChildren(...(points.length ? [retentionChart(points)] : []));
  const tbody = document.createElement("tbody");
  for (const p of points.filter((_, i) => i % 5 === 0 || i === 99)) {
    const tr = document.createElement("tr");
    tr.append(
      cell("th", `${p.bucket}%`, false),
      cell("td", `${p.relative}%`),
      cell("td", formatValue(p.samples)),
    );
    tbody.append(tr);
  }
  table.tBodies[0]?.remove();
  table.append(tbody);
}
