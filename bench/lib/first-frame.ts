/**
 * The watch page's path to its first frame, step by step, as one cold load in Chromium saw it
 * (`npm run bench:site`, ADR 0033). The probe runs before any page script; at the end the page's
 * own Performance resource timings, the media element's events and the site's `sl:*` marks are
 * read back and turned into one row of milliseconds from navigation start:
 *
 *   html → scripts (module graph) → hls.js (fetched, then compiled and run) → attach (the player's
 *   `sl:attach` mark) → master → media playlist → init → first segment → loadeddata → first frame.
 *
 * Each timing is the request's start and its end (`responseEnd`), so a gap between one step's end
 * and the next one's start is time spent in the page (parsing, compiling, waiting on a script),
 * not on the wire.
 */

/** Installed with `context.addInitScript`: LCP, layout shifts, media events, the first frame. */
export const FIRST_FRAME_PROBE = `
  window.__bench = { lcp: 0, cls: 0, firstFrame: null, media: {} };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.lcp = e.startTime;
  }).observe({ type: "largest-contentful-paint", buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__bench.cls += e.value;
  }).observe({ type: "layout-shift", buffered: true });
  const events = ["loadstart", "loadedmetadata", "loadeddata", "canplay", "playing"];
  const hook = (v) => {
    if (v.__benchHooked) return;
    v.__benchHooked = true;
    for (const type of events)
      v.addEventListener(type, () => { window.__bench.media[type] ??= performance.now(); });
    v.requestVideoFrameCallback((now) => {
      if (window.__bench.firstFrame === null) window.__bench.firstFrame = now;
    });
  };
  const hookAll = () => document.querySelectorAll("video").forEach(hook);
  new MutationObserver(hookAll).observe(document, { subtree: true, childList: true });
  document.addEventListener("DOMContentLoaded", hookAll);
`;

export interface Span {
  start: number;
  end: number;
}

/** One cold load's path to the first frame, ms from navigation start (null: not seen). */
export interface FirstFrameBreakdown {
  html: Span | null;
  domInteractive: number;
  domContentLoaded: number;
  /** Every same-origin script but hls.js: first start → last end; how many. */
  scripts: (Span & { count: number }) | null;
  hlsJs: Span | null;
  /** Marks the site sets (`performance.mark("sl:…")`), e.g. sl:hls-ready, sl:attach. */
  marks: Record<string, number>;
  master: Span | null;
  /** The first media playlist (the rung hls.js starts on). */
  mediaPlaylist: Span | null;
  init: Span | null;
  firstSegment: Span | null;
  media: Record<string, number>;
  firstFrame: number | null;
  /** Which media files, in order of request (to see the rung and whether preloads were reused). */
  requests: string[];
}

/** Runs in the page (serialised by Playwright): reads the timings back. */
export function readBreakdown(): FirstFrameBreakdown {
  const w = window as unknown as {
    __bench: { firstFrame: number | null; media: Record<string, number> };
  };
  const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
  const resources = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
  const span = (e: PerformanceResourceTiming | undefined) =>
    e ? { start: Math.round(e.startTime), end: Math.round(e.responseEnd) } : null;
  const path = (e: PerformanceResourceTiming) => new URL(e.name).pathname;
  const isHls = (e: PerformanceResourceTiming) => /\/hls\.[\w-]+\.js$/.test(path(e));
  const scripts = resources.filter(
    (e) => path(e).endsWith(".js") && !isHls(e) && new URL(e.name).origin === location.origin,
  );
  const media = resources.filter((e) => /\.(m3u8|mp4|m4s)$/.test(path(e)));
  const first = (test: RegExp) => media.find((e) => test.test(path(e)));
  const marks: Record<string, number> = {};
  for (const m of performance.getEntriesByType("mark"))
    if (m.name.startsWith("sl:")) marks[m.name] ??= Math.round(m.startTime);
  return {
    html: { start: Math.round(nav.requestStart), end: Math.round(nav.responseEnd) },
    domInteractive: Math.round(nav.domInteractive),
    domContentLoaded: Math.round(nav.domContentLoadedEventEnd),
    scripts: scripts.length
      ? {
          start: Math.round(Math.min(...scripts.map((e) => e.startTime))),
          end: Math.round(Math.max(...scripts.map((e) => e.responseEnd))),
          count: scripts.length,
        }
      : null,
    hlsJs: span(resources.find(isHls)),
    marks,
    master: span(first(/\/master\.m3u8$/)),
    mediaPlaylist: span(media.find((e) => path(e).endsWith(".m3u8") && !path(e).endsWith("/master.m3u8"))),
    init: span(first(/init[^/]*\.mp4$/)),
    firstSegment: span(media.find((e) => /\.(m4s|mp4)$/.test(path(e)) && !/init[^/]*\.mp4$/.test(path(e)))),
    media: Object.fromEntries(Object.entries(w.__bench.media).map(([k, v]) => [k, Math.round(v)])),
    firstFrame: w.__bench.firstFrame === null ? null : Math.round(w.__bench.firstFrame),
    requests: media.map(
      (e) =>
        `${Math.round(e.startTime)}→${Math.round(e.responseEnd)} ${path(e).replace(/^\/v\/[^/]+\/[^/]+\//, "")}`,
    ),
  };
}

const median = (values: number[]) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : Number.NaN;
};

/** The median of each step over several loads, as "start→end" strings, in path order. */
export function medianBreakdown(loads: FirstFrameBreakdown[]): Record<string, string> {
  const spanOf = (pick: (b: FirstFrameBreakdown) => Span | null | undefined) => {
    const spans = loads.map(pick).filter((s): s is Span => !!s);
    if (!spans.length) return "—";
    return `${median(spans.map((s) => s.start))}→${median(spans.map((s) => s.end))}`;
  };
  const at = (pick: (b: FirstFrameBreakdown) => number | null | undefined) => {
    const v = median(loads.map(pick).filter((n): n is number => typeof n === "number"));
    return Number.isNaN(v) ? "—" : String(v);
  };
  const markNames = [...new Set(loads.flatMap((b) => Object.keys(b.marks)))];
  return {
    html: spanOf((b) => b.html),
    scripts: spanOf((b) => b.scripts),
    domInteractive: at((b) => b.domInteractive),
    domContentLoaded: at((b) => b.domContentLoaded),
    hlsJs: spanOf((b) => b.hlsJs),
    ...Object.fromEntries(markNames.map((m) => [m, at((b) => b.marks[m])])),
    master: spanOf((b) => b.master),
    mediaPlaylist: spanOf((b) => b.mediaPlaylist),
    init: spanOf((b) => b.init),
    firstSegment: spanOf((b) => b.firstSegment),
    loadedmetadata: at((b) => b.media.loadedmetadata),
    loadeddata: at((b) => b.media.loadeddata),
    playing: at((b) => b.media.playing),
    firstFrame: at((b) => b.firstFrame),
  };
}
