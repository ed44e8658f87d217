/**
 * The analytics range selector's arithmetic (ADR 0023): presets of 7, 28 and 90 days ending
 * today (UTC, like the roll-ups), or a custom `from`–`to` of at most 365 days.
 */
export const PRESETS = [7, 28, 90] as const;
export const MAX_DAYS = 365;
const DAY_MS = 86_400_000;

export interface DayRange {
  from: string;
  to: string;
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const addDays = (day: string, n: number) => utcDay(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);

/** The last `days` days, today included. */
export function presetRange(days: number, now = Date.now()): DayRange {
  const to = utcDay(now);
  return { from: addDays(to, -(days - 1)), to };
}

/** Days in a range, both ends included. */
export const rangeDays = (r: DayRange) =>
  Math.round((Date.parse(`${r.to}T00:00:00Z`) - Date.parse(`${r.from}T00:00:00Z`)) / DAY_MS) + 1;

/** A custom range from two `<input type="date">` values, or the sentence saying what is wrong. */
export function customRange(from: string, to: string): DayRange | string {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(from) || !day.test(to)) return "Pick both a start and an end date.";
  if (from > to) return "The start date is after the end date.";
  if (rangeDays({ from, to }) > MAX_DAYS) return `A report covers at most ${MAX_DAYS} days.`;
  return { from, to };
}
