/**
 * Playback heartbeats for `POST /api/views` (ADR 0016). Played time is measured on the
 * clock while the media is actually playing — a seek ends the current stretch, so jumping
 * ahead adds nothing — and reported as "seconds played since the previous heartbeat":
 * every `intervalMs` (10 s) while playing, on pause and end, and as a beacon when the page
 * is hidden or left. The clock and the transport are injected (tests drive both). Where the
 * view came from (ADR 0023) rides along once, with the first heartbeat of each view token.
 */
import type { TrafficSource } from "@streamline/contracts";

export interface Heartbeat {
  viewToken: string;
  positionSec: number;
  playedSec: number;
  source?: TrafficSource;
  /** The embed page's stored viewer id (no cookie in third-party frames; ADR 0029). */
  viewerId?: string;
}

export interface ReporterDeps {
  /** Milliseconds, monotonic enough (performance.now or Date.now). */
  now(): number;
  /** A normal request. */
  send(beat: Heartbeat): void;
  /** Must survive the page going away (navigator.sendBeacon). */
  beacon(beat: Heartbeat): void;
}

export const HEARTBEAT_INTERVAL_MS = 10_000;

export class ViewReporter {
  private readonly deps: ReporterDeps;
  private readonly intervalMs: number;
  private token: string | null = null;
  /** When the current uninterrupted stretch of playback started (null: not playing). */
  private stretchStart: number | null = null;
  /** Played milliseconds not reported yet, from stretches that ended. */
  private unreportedMs = 0;
  private lastSentAt: number;
  private position = 0;
  /** The position of the previous heartbeat: a repeat with nothing played is not sent. */
  private reportedPosition: number | null = null;
  private source: TrafficSource | null = null;
  /** The source is still to be sent with this token's first heartbeat. */
  private sourcePending = false;

  constructor(deps: ReporterDeps, intervalMs = HEARTBEAT_INTERVAL_MS) {
    this.deps = deps;
    this.intervalMs = intervalMs;
    this.lastSentAt = deps.now();
  }

  /** Every fresh copy of the video brings a fresh token; heartbeats use the newest. */
  setToken(token: string | null | undefined): void {
    if (!token || token === this.token) return;
    this.token = token;
    this.sourcePending = this.source !== null;
  }

  /** Where this view came from (traffic-source.ts): sent with the next heartbeat only. */
  setSource(source: TrafficSource): void {
    this.source = source;
    this.sourcePending = true;
  }

  /** Playback (re)started at `positionSec`. */
  playing(positionSec: number): void {
    this.position = positionSec;
    if (this.stretchStart === null) this.stretchStart = this.deps.now();
  }

  /** The playhead moved while playing (`timeupdate`): a heartbeat goes out when one is due. */
  progress(positionSec: number): void {
    this.position = positionSec;
    if (this.stretchStart !== null && this.deps.now() - this.lastSentAt >= this.intervalMs)
      this.report("send");
  }

  /** A seek started: the stretch before it counts, the jump does not. */
  seeking(positionSec: number): void {
    this.endStretch();
    this.position = positionSec;
  }

  /** Paused, or waiting for data: report what was played so far. */
  paused(positionSec: number): void {
    this.endStretch();
    this.position = positionSec;
    this.report("send");
  }

  ended(positionSec: number): void {
    this.paused(positionSec);
  }

  /** The page is being hidden or left: a beacon, which outlives the page. */
  hidden(): void {
    const wasPlaying = this.stretchStart !== null;
    this.endStretch();
    this.report("beacon");
    // Still playing in a background tab: the next stretch starts now.
    if (wasPlaying) this.stretchStart = this.deps.now();
  }

  private endStretch(): void {
    if (this.stretchStart === null) return;
    this.unreportedMs += Math.max(0, this.deps.now() - this.stretchStart);
    this.stretchStart = null;
  }

  /** Seconds played since the previous heartbeat, the open stretch included (and restarted). */
  private takePlayed(): number {
    const now = this.deps.now();
    let ms = this.unreportedMs;
    if (this.stretchStart !== null) {
      ms += Math.max(0, now - this.stretchStart);
      this.stretchStart = now;
    }
    this.unreportedMs = 0;
    return Math.round(ms) / 1000;
  }

  private report(via: "send" | "beacon"): void {
    if (!this.token) return;
    const playedSec = this.takePlayed();
    const positionSec = Math.max(0, this.position);
    if (playedSec === 0 && positionSec === this.reportedPosition) return;
    this.lastSentAt = this.deps.now();
    this.reportedPosition = positionSec;
    const beat: Heartbeat = { viewToken: this.token, positionSec, playedSec };
    if (this.sourcePending && this.source) beat.source = this.source;
    this.sourcePending = false;
    if (via === "beacon") this.deps.beacon(beat);
    else this.deps.send(beat);
  }
}

/** Wires a reporter to a `<video>` element and the page's lifecycle; returns the unwiring. */
export function attachViewReporter(video: HTMLVideoElement, reporter: ViewReporter): () => void {
  const at = () => video.currentTime || 0;
  const ac = new AbortController();
  const opts = { signal: ac.signal };
  video.addEventListener("playing", () => reporter.playing(at()), opts);
  video.addEventListener(
    "timeupdate",
    () => !video.paused && !video.seeking && reporter.progress(at()),
    opts,
  );
  video.addEventListener("seeking", () => reporter.seeking(at()), opts);
  video.addEventListener("seeked", () => !video.paused && reporter.playing(at()), opts);
  video.addEventListener("pause", () => reporter.paused(at()), opts);
  video.addEventListener("waiting", () => reporter.seeking(at()), opts);
  video.addEventListener("ended", () => reporter.ended(at()), opts);
  const hide = () => reporter.hidden();
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && hide(), opts);
  window.addEventListener("pagehide", hide, opts);
  return () => ac.abort();
}
