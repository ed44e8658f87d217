/**
 * The DOM of `video-stage.astro`: finds its parts once and renders a `StageView` onto them
 * (`data-state`, the overlay, the video's visibility, the "still processing" strip, the poster).
 * It decides nothing; `video-stage-machine.ts` does.
 */
import { tokenOf, withToken } from "../../lib/delivery-token.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import type { OverlayView, StageView } from "./video-stage-machine.ts";

export type StageElements = ReturnType<typeof stageElements>;

export function stageElements(root: HTMLElement) {
  const $ = elementsOf(root, "video stage");
  return {
    root,
    video: $("video", HTMLVideoElement),
    frame: $(role("frame")),
    ui: $(role("ui")),
    overlay: {
      box: $(role("overlay")),
      spinner: $(role("spinner")),
      icon: $(role("icon")),
      headline: $(role("headline")),
      detail: $(role("detail")),
      progress: $(role("progress")),
      progressFill: $(role("progress-fill")),
      failure: $(role("failure")),
      retry: $(role("retry"), HTMLButtonElement),
      home: $(role("home"), HTMLAnchorElement),
    },
    strip: $(role("strip")),
    livePanel: {
      panel: $(role("live-panel")),
      list: $(role("rendition-list"), HTMLOListElement),
      empty: $(role("rendition-empty")),
      pill: $(role("live-state")),
      pillText: $(role("live-state-text")),
    },
    seek: {
      root: $(role("seek")),
      track: $(role("seek-track")),
      played: $(role("seek-played")),
      marker: $(role("seek-marker")),
      tooltip: $(role("seek-tooltip")),
      thumb: $(role("seek-thumb")),
      thumbImage: $(role("seek-thumb-image")),
      time: $(role("seek-time")),
      buffered: $(role("seek-buffered")),
      chapterMarks: $(role("seek-chapters")),
      chapterLabel: $(role("seek-chapter")),
      chapterTitle: $(role("chapter-title")),
    },
  };
}

function renderOverlay(parts: StageElements["overlay"], o: OverlayView): void {
  const { box, spinner, icon, headline, detail, progress, progressFill, failure, retry, home } = parts;
  box.hidden = false;
  spinner.hidden = !o.busy;
  icon.hidden = !!o.busy;
  headline.textContent = o.headline;
  detail.textContent = o.detail ?? "";
  detail.hidden = !o.detail;
  progress.hidden = o.percent === undefined;
  progress.classList.toggle("is-indeterminate", o.percent === null);
  if (typeof o.percent === "number") {
    progressFill.style.width = `${o.percent}%`;
    progress.setAttribute("role", "progressbar");
    progress.setAttribute("aria-label", o.headline);
    progress.setAttribute("aria-valuenow", String(Math.round(o.percent)));
    progress.setAttribute("aria-valuemin", "0");
    progress.setAttribute("aria-valuemax", "100");
  } else {
    progressFill.style.removeProperty("width");
    progress.removeAttribute("aria-valuenow");
  }
  failure.textContent = o.failure ?? "";
  failure.hidden = !o.failure;
  retry.hidden = !o.retry;
  home.hidden = !o.home;
}

export function renderStage(el: StageElements, view: StageView): void {
  el.root.dataset.state = view.dataState;
  el.root.setAttribute("aria-busy", String(view.dataState === "loading" || view.dataState === "processing"));
  if (view.overlay) renderOverlay(el.overlay, view.overlay);
  else el.overlay.box.hidden = true;
  if (view.videoHidden !== undefined) {
    el.video.hidden = view.videoHidden;
    el.ui.hidden = view.videoHidden;
  }
  if (view.strip === null) el.strip.hidden = true;
  else if (view.strip !== undefined) {
    el.strip.hidden = false;
    el.strip.textContent = view.strip;
  }
  if (view.livePanelHidden) el.livePanel.panel.hidden = true;
}

/**
 * The poster behind the frame and on the <video>; tokens change on every read, the file rarely:
 * the same file under a new token is not painted again (a repaint would be a later LCP).
 */
export function renderPoster(el: StageElements, url: string | null): void {
  if (!url) return;
  const current = el.video.getAttribute("poster");
  const token = tokenOf(url, location.href) ?? "";
  const abs = (u: string) => new URL(u, location.href).href;
  if (current && abs(withToken(current, token, location.href)) === abs(url)) return;
  el.video.poster = url;
  el.frame.style.backgroundImage = `url("${CSS.escape(url)}")`;
}
