/**
 * The zod side of video metadata (rules in `video-metadata.ts`, reasons in ADR 0013): every
 * boundary that accepts tags, a category or a publish time parses them with these, so the
 * same input is normalized the same way everywhere.
 */
import { z } from "zod";
import {
  CATEGORIES,
  CHAPTER_TITLE_MAX,
  isValidTag,
  MAX_TAGS,
  normalizeTag,
  TAG_MAX_LENGTH,
  uniqueTags,
} from "./video-metadata.ts";

export const Visibility = z.enum(["public", "unlisted", "private"]);
export type Visibility = z.infer<typeof Visibility>;

/** One tag, normalized (`#Cats ` → `cats`), then checked. */
export const Tag = z
  .string()
  .max(200, "tag is too long")
  .transform(normalizeTag)
  .pipe(
    z
      .string()
      .min(1, "tag is empty")
      .max(TAG_MAX_LENGTH, `tags are at most ${TAG_MAX_LENGTH} characters`)
      .refine(isValidTag, "tags may only contain letters, digits, spaces, - and _"),
  );

/** A video's tags: normalized, duplicates (after normalization) dropped, at most MAX_TAGS. */
export const Tags = z
  .array(Tag)
  .max(MAX_TAGS * 4, `at most ${MAX_TAGS} tags`)
  .transform(uniqueTags)
  .pipe(z.array(z.string()).max(MAX_TAGS, `at most ${MAX_TAGS} tags`));

export const Category = z.enum(CATEGORIES);
export type Category = z.infer<typeof Category>;

/** How far ahead a publish can be scheduled. */
export const MAX_SCHEDULE_MS = 2 * 365 * 24 * 3600_000;

/**
 * When a private video turns public (the cron does it, within its 5-minute period). ISO 8601
 * with a zone; must be in the future and at most two years away. Only meaningful for a
 * private video: see `scheduleIssue`.
 */
export const PublishAt = z.iso
  .datetime({ offset: true, message: "publishAt must be an ISO date-time with a time zone" })
  .refine((s) => Date.parse(s) > Date.now(), "publishAt must be in the future")
  .refine((s) => Date.parse(s) <= Date.now() + MAX_SCHEDULE_MS, "publishAt is more than two years away");

export const SCHEDULE_NEEDS_PRIVATE =
  "a scheduled publish needs visibility private (it turns public at publishAt)";

/**
 * The one cross-field rule: a schedule goes with a private video. `visibility` is the one
 * the video will have after the write (the body's, else what it already is).
 */
export function scheduleIssue(visibility: Visibility | undefined, publishAt: string | null | undefined) {
  return publishAt && visibility && visibility !== "private" ? SCHEDULE_NEEDS_PRIVATE : null;
}

export const ChapterDto = z.object({
  startSec: z.number().int().nonnegative(),
  title: z.string().max(CHAPTER_TITLE_MAX),
});
export const Chapters = z.array(ChapterDto);
