/**
 * The rules of a view (ADR 0016), as pure functions over one viewer's state, so the
 * Durable Object only stores and buffers:
 *  - played time is the client's claim clamped to wall-clock time since that viewer's
 *    previous heartbeat or the token's issue, whichever is later, plus a small slack;
 *  - a view counts once per window after `minPlayedSec`, or half of a video shorter than 60 s;
 *  - a position at ≥ 95 % or within 10 s of the end is "finished": the resume point goes to 0.
 */

export interface ViewRules {
  windowMs: number;
  minPlayedSec: number;
  slackSec: number;
}

/** One viewer's state inside a window. */
export interface ViewerState {
  windowStart: number;
  playedSec: number;
  counted: boolean;
  lastBeatAt: number;
}

export interface Beat {
  now: number;
  /** When the token was issued: the clamp's start for a viewer's first heartbeat. */
  issuedAt: number;
  playedSec: number;
  durationSec: number | null;
}

export interface BeatOutcome {
  state: ViewerState;
  acceptedSec: number;
  /** True when this heartbeat made the view count. */
  countedNow: boolean;
}

/** Seconds of real playback needed before a view counts. */
export function thresholdSec(durationSec: number | null, minPlayedSec: number): number {
  if (durationSec !== null && durationSec > 0 && durationSec < 60)
    return Math.min(minPlayedSec, durationSec / 2);
  return minPlayedSec;
}

export function applyBeat(prev: ViewerState | undefined, beat: Beat, rules: ViewRules): BeatOutcome {
  // The later of the previous heartbeat and the token's issue: a new token (a reload) never
  // lets time from before it count, and parallel tokens share one viewer's clock.
  const sinceMs = Math.max(prev?.lastBeatAt ?? 0, beat.issuedAt);
  const wallSec = Math.max(0, (beat.now - sinceMs) / 1000);
  const acceptedSec = Math.min(beat.playedSec, wallSec + rules.slackSec);
  const fresh = !prev || beat.now - prev.windowStart >= rules.windowMs;
  const base: ViewerState = fresh
    ? { windowStart: beat.now, playedSec: 0, counted: false, lastBeatAt: beat.now }
    : { ...prev };
  const playedSec = base.playedSec + acceptedSec;
  const countedNow = !base.counted && playedSec >= thresholdSec(beat.durationSec, rules.minPlayedSec);
  return {
    state: { ...base, playedSec, counted: base.counted || countedNow, lastBeatAt: beat.now },
    acceptedSec,
    countedNow,
  };
}

/** Finished: ≥ 95 % played through, or within 10 s of the end. */
export function isFinished(positionSec: number, durationSec: number | null): boolean {
  if (durationSec === null || durationSec <= 0) return false;
  return positionSec >= durationSec * 0.95 || durationSec - positionSec <= 10;
}

/** The retention bucket (0–99) of a position, or null when the duration is unknown. */
export function retentionBucket(positionSec: number, durationSec: number | null): number | null {
  if (durationSec === null || durationSec <= 0) return null;
  return Math.min(99, Math.max(0, Math.floor((positionSec / durationSec) * 100)));
}

/** The UTC day of a time, `YYYY-MM-DD` (video_stats_daily.day). */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
