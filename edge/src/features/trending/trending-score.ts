/**
 * The trending formula (ADR 0022), as constants and the per-hour decay table the cron's one
 * SQL statement joins against:
 *
 *   score(v) = Σ over v's events in the last 48 h of  weight(kind) × ½^(age_h / 12)
 *
 * with kind = a counted view (1), a like (3), a commenter (5, once per person per video —
 * their latest comment), age_h the whole hours since the event's hour began, and nothing
 * the video's owner did to their own video.
 */

export const TRENDING = {
  windowHours: 48,
  halfLifeHours: 12,
  weights: { view: 1, like: 3, comment: 5 },
  /** Rows kept per computation: the ranking's length. */
  size: 1000,
  /**
   * How long a computed ranking stays after a newer one replaced it: a cursor pages the
   * generation it started in for this long (the cron runs every 5 minutes).
   */
  keepMs: 30 * 60_000,
} as const;

export const HOUR_MS = 3_600_000;

/** `weights[age]` for ages 0…windowHours−1: what one unit of an event that old is worth. */
export function decayWeights(
  windowHours: number = TRENDING.windowHours,
  halfLifeHours: number = TRENDING.halfLifeHours,
): number[] {
  return Array.from({ length: windowHours }, (_, age) => 0.5 ** (age / halfLifeHours));
}

/** The whole UTC hour a time falls in (`video_stats_hourly.hour`). */
export const hourOf = (ms: number) => Math.floor(ms / HOUR_MS);
