/**
 * How "up next" orders its candidates (ADR 0022): a sum of weighted signals, each bounded,
 * so no one signal can bury the others — a pure function, tested without D1.
 */
import type { Candidate, Source } from "./related.repo.ts";

export const RELATED_WEIGHTS = {
  /** Same channel: the strongest single hint of what a viewer came for. */
  sameChannel: 3,
  /** Per shared tag, counting at most `maxSharedTags`. */
  sharedTag: 2,
  maxSharedTags: 3,
  sameCategory: 1.5,
  /** Co-watching saturates: `coWatched × n / (n + coHalf)` for n viewers in common. */
  coWatched: 4,
  coHalf: 2,
  /** `popularity × log10(1 + views)`, halved by `popularityHalfLifeDays` of age. */
  popularity: 0.5,
  popularityHalfLifeDays: 30,
} as const;

const DAY_MS = 86_400_000;

export function relatedScore(source: Omit<Source, "tags">, c: Candidate, now: number): number {
  const W = RELATED_WEIGHTS;
  const sameChannel = source.ownerId !== null && c.ownerId === source.ownerId ? W.sameChannel : 0;
  const tags = W.sharedTag * Math.min(c.sharedTags, W.maxSharedTags);
  const category = source.category !== null && c.category === source.category ? W.sameCategory : 0;
  const co = (W.coWatched * c.coViewers) / (c.coViewers + W.coHalf);
  const ageDays = c.publishedAt === null ? 365 : Math.max(0, now - c.publishedAt) / DAY_MS;
  const recency = 0.5 ** (ageDays / W.popularityHalfLifeDays);
  const popularity = W.popularity * Math.log10(1 + Math.max(0, c.viewCount)) * recency;
  return sameChannel + tags + category + co + popularity;
}

/** The ids of the best `limit` candidates, best first (ties: the newer, then the id). */
export function rankRelated(
  source: Omit<Source, "tags">,
  candidates: readonly Candidate[],
  limit: number,
  now: number,
): string[] {
  return candidates
    .map((c) => ({ c, score: relatedScore(source, c, now) }))
    .sort(
      (a, b) =>
        b.score - a.score ||
        (b.c.publishedAt ?? 0) - (a.c.publishedAt ?? 0) ||
        (a.c.id < b.c.id ? -1 : a.c.id > b.c.id ? 1 : 0),
    )
    .slice(0, limit)
    .map(({ c }) => c.id);
}
