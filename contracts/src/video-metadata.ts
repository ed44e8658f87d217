/**
 * Video metadata rules shared by the edge, the site and the tests (ADR 0013): tag
 * normalization and caps, the fixed category list, timestamps in descriptions and the
 * chapters parsed from them. Pure functions and constants only, so the browser can use them
 * without pulling in zod; the zod schemas built on them live in `video-metadata-schemas.ts`.
 */

export const MAX_TAGS = 15;
export const TAG_MAX_LENGTH = 30;
/** After normalization: Unicode letters and digits, space, `-` and `_`. */
export const TAG_PATTERN = /^[\p{L}\p{N} _-]{1,30}$/u;

/**
 * A tag as stored: NFC, trimmed, a leading `#` (or several) dropped, lower-case, runs of
 * whitespace collapsed to one space. `#Cats  And Dogs ` → `cats and dogs`. Whether the
 * result is allowed is `TAG_PATTERN`'s call.
 */
export function normalizeTag(raw: string): string {
  return raw.normalize("NFC").trim().replace(/^#+/, "").trim().toLowerCase().replace(/\s+/g, " ");
}

export const isValidTag = (tag: string) => TAG_PATTERN.test(tag);

/** Normalized tags in their first-seen order, duplicates (after normalization) dropped. */
export function uniqueTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map(normalizeTag))];
}

/** The fixed category list (YouTube's, minus the ones that only exist for its own products). */
export const CATEGORIES = [
  "film",
  "autos",
  "music",
  "pets",
  "sports",
  "travel",
  "gaming",
  "people",
  "comedy",
  "entertainment",
  "news",
  "howto",
  "education",
  "science",
  "nonprofit",
] as const;
export const CATEGORY_LABELS: Record<(typeof CATEGORIES)[number], string> = {
  film: "Film & Animation",
  autos: "Autos & Vehicles",
  music: "Music",
  pets: "Pets & Animals",
  sports: "Sports",
  travel: "Travel & Events",
  gaming: "Gaming",
  people: "People & Blogs",
  comedy: "Comedy",
  entertainment: "Entertainment",
  news: "News & Politics",
  howto: "Howto & Style",
  education: "Education",
  science: "Science & Technology",
  nonprofit: "Nonprofits & Activism",
};

/** `m:ss`, `mm:ss`, `mmm:ss` or `h:mm:ss` (what people type under videos). */
const TIMESTAMP = /^(?:(\d{1,2}):([0-5]\d)|(\d{1,3})):([0-5]\d)$/;
/** The same, findable inside running text (not glued to other digits, letters or colons). */
export const TIMESTAMP_IN_TEXT =
  /(?<![\p{L}\p{N}:])(?:\d{1,2}:[0-5]\d|\d{1,3}):[0-5]\d(?![\p{L}\p{N}]|:\d)/gu;

/** Seconds of a timestamp like `1:23` or `1:02:03`, or null when it is not one. */
export function parseTimestamp(text: string): number | null {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [, h, hm, mOnly, s] = m;
  return h !== undefined ? Number(h) * 3600 + Number(hm) * 60 + Number(s) : Number(mOnly) * 60 + Number(s);
}

export interface Chapter {
  startSec: number;
  title: string;
}

export const MAX_CHAPTERS = 100;
export const CHAPTER_TITLE_MAX = 100;
/** A line that opens with a timestamp, then (optionally) a separator, then the title. */
const CHAPTER_LINE = /^\s*((?:\d{1,2}:[0-5]\d|\d{1,3}):[0-5]\d)\s*(?:[-–—:|]\s*)?(\S.*)$/u;

/**
 * Chapters from a description (YouTube's rule, as ADR 0013 adopts it): every line that starts
 * with a timestamp is a chapter line; they count only if the first is `0:00`, there are at
 * least two, and their times strictly ascend. Otherwise (or with more than MAX_CHAPTERS) the
 * description has no chapters at all: a half-valid list would mislabel the video.
 */
export function parseChapters(description: string): Chapter[] | null {
  const chapters: Chapter[] = [];
  for (const line of description.split(/\r\n|\r|\n/)) {
    const m = CHAPTER_LINE.exec(line);
    if (!m) continue;
    const startSec = parseTimestamp(m[1]!);
    const title = m[2]!.trim().slice(0, CHAPTER_TITLE_MAX);
    if (startSec === null || !title) continue;
    chapters.push({ startSec, title });
  }
  if (chapters.length < 2 || chapters.length > MAX_CHAPTERS || chapters[0]!.startSec !== 0) return null;
  const ascending = chapters.every((c, i) => i === 0 || c.startSec > chapters[i - 1]!.startSec);
  return ascending ? chapters : null;
}
