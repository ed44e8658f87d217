/**
 * `/studio/analytics` (the caller's channel) and the Analytics tab of `/studio/:id` (one
 * video, with its retention curve): the report of analytics-report.ts with what differs.
 */
import type { ChannelAnalytics, VideoAnalytics } from "@streamline/contracts";
import { api } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { formatDuration } from "../../lib/format.ts";
import { formatValue } from "./analytics-charts.ts";
import { mountAnalyticsReport, renderRetention } from "./analytics-report.ts";

function topVideoRow(v: ChannelAnalytics["topVideos"][number]): HTMLTableRowElement {
  const tr = document.createElement("tr");
  const th = document.createElement("th");
  th.scope = "row";
  const a = document.createElement("a");
  a.href = `/studio/${encodeURIComponent(v.id)}#analytics`;
  a.textContent = v.title;
  th.append(a);
  tr.append(th);
  for (const text of [
    formatValue(v.views),
    formatValue(Math.round((v.watchSec / 3600) * 10) / 10),
    formatDuration(v.avgViewDurationSec) || "0:00",
    v.avgPercentViewed === null ? "—" : `${Math.round(v.avgPercentViewed)}%`,
  ]) {
    const td = document.createElement("td");
    td.className = "tabular num";
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

export async function mountChannelAnalytics(root: HTMLElement): Promise<void> {
  const session = await authSession.start();
  if (session.status === "anonymous") return; // the layout sends the visitor to /login
  const $ = elementsOf(root, "channel analytics");
  const top = $(role("top-videos"), HTMLTableSectionElement);
  const topEmpty = $(role("top-empty"));
  mountAnalyticsReport(
    root,
    (range, signal) => api.channelAnalytics(range, signal),
    (report) => {
      const videos = (report as ChannelAnalytics).topVideos;
      top.replaceChildren(...videos.map(topVideoRow));
      topEmpty.hidden = videos.length > 0;
    },
  );
}

/** The video page's Analytics tab: loads when first shown. */
export function mountVideoAnalytics(root: HTMLElement, videoId: string): void {
  const $ = elementsOf(root, "video analytics");
  const curve = $(role("retention-chart"));
  const table = $(role("retention-table"), HTMLTableElement);
  const empty = $(role("retention-empty"));
  mountAnalyticsReport(
    root,
    (range, signal) => api.videoAnalytics(videoId, range, signal),
    (report) => renderRetention(curve, table, empty, report as VideoAnalytics),
  );
}

/**
 * The Details / Analytics tabs of `/studio/:id` (`#analytics` opens the second); the
 * analytics report loads the first time its tab is shown.
 */
export function mountStudioTabs(page: HTMLElement, videoId: string): void {
  const tabs = [...page.querySelectorAll<HTMLAnchorElement>('[role="tab"]')];
  const panels = tabs.map((t) => page.querySelector<HTMLElement>(`#${t.getAttribute("aria-controls")}`));
  let loaded = false;
  const show = (name: string, focus = false) => {
    tabs.forEach((t, i) => {
      const on = t.dataset.tab === name;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      if (panels[i]) panels[i].hidden = !on;
      if (on && focus) t.focus();
    });
    const report = page.querySelector<HTMLElement>('[data-testid="analytics"]');
    if (name === "analytics" && !loaded && report) {
      loaded = true;
      mountVideoAnalytics(report, videoId);
    }
  };
  tabs.forEach((t, i) => {
    t.addEventListener("click", (e) => {
      e.preventDefault();
      history.replaceState(null, "", t.dataset.tab === "analytics" ? "#analytics" : location.pathname);
      show(t.dataset.tab ?? "details");
    });
    t.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length]!;
      show(next.dataset.tab ?? "details", true);
    });
  });
  show(location.hash === "#analytics" ? "analytics" : "details");
}
