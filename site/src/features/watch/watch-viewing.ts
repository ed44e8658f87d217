/**
 * The watch page's side of views and resume (ADR 0016): heartbeats from the player
 * (view-reporter.ts) with the newest view token, and "Resumed at 4:12 · Start over" when
 * the signed-in viewer comes back to a video they had not finished. `?t=` wins over resume.
 */
import { api, type VideoDto } from "../../lib/api.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { formatDuration } from "../../lib/format.ts";
import { startTimeOf } from "../../lib/linked-text.ts";
import { trafficSource } from "./traffic-source.ts";
import { attachViewReporter, type Heartbeat, ViewReporter } from "./view-reporter.ts";

export interface Viewing {
  show(video: VideoDto): void;
}

function sendBeacon(beat: Heartbeat): void {
  const body = JSON.stringify(beat);
  // A string body goes out as text/plain, which the API accepts from beacons.
  if (!navigator.sendBeacon?.("/api/views", body)) void api.viewHeartbeat(beat).catch(() => undefined);
}

/**
 * Heartbeats from this page's <video>, from where the view came (traffic-source.ts). `viewerId`:
 * the embed page's stored id, sent in every beat's body (a beacon carries no headers).
 */
export function mountViewReporter(media: HTMLVideoElement, viewerId?: string | null): ViewReporter {
  const named = (beat: Heartbeat) => (viewerId ? { ...beat, viewerId } : beat);
  const reporter = new ViewReporter({
    now: () => performance.now(),
    send: (beat) => void api.viewHeartbeat(named(beat)).catch(() => undefined),
    beacon: (beat) => sendBeacon(named(beat)),
  });
  reporter.setSource(trafficSource(document.referrer, location));
  attachViewReporter(media, reporter);
  return reporter;
}

/** Seeks once the media can take it. */
function seekWhenReady(media: HTMLVideoElement, sec: number): void {
  if (media.readyState >= HTMLMediaElement.HAVE_METADATA) media.currentTime = sec;
  else media.addEventListener("loadedmetadata", () => (media.currentTime = sec), { once: true });
}

function mountResumeHint(page: HTMLElement, media: HTMLVideoElement) {
  const $ = elementsOf(page, "watch page");
  const hint = $(role("resume-hint"));
  const at = $(role("resume-at"));
  const startOver = $(role("start-over"), HTMLButtonElement);
  startOver.addEventListener("click", () => {
    media.currentTime = 0;
    hint.hidden = true;
    void media.play().catch(() => undefined);
  });
  return (sec: number) => {
    at.textContent = formatDuration(sec);
    hint.hidden = false;
    seekWhenReady(media, sec);
  };
}

export function mountViewing(page: HTMLElement, stageRoot: HTMLElement): Viewing {
  const media = stageRoot.querySelector("video");
  if (!media) return { show: () => undefined };
  const reporter = mountViewReporter(media);
  const resume = mountResumeHint(page, media);
  let decided = false;
  return {
    show(video) {
      reporter.setToken(video.playback?.viewToken);
      // Once, with the viewer's first playable copy (the one with a view token — not the page's
      // server-rendered anonymous copy): `?t=` wins; a finished video has no resume point.
      if (decided || !video.playback?.viewToken) return;
      decided = true;
      if (startTimeOf(location.search) === null && video.resumeAtSec) resume(video.resumeAtSec);
    },
  };
}
