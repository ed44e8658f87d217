/**
 * Turns the metadata of an upload or an edit (already parsed by contracts' schemas: tags
 * normalized, category from the list, `publishAt` in the future) into the row's columns,
 * and applies the one rule that needs the stored row: a schedule goes with a private video
 * (ADR 0013).
 */
import {
  type EmbedSettings,
  parseChapters,
  SCHEDULE_NEEDS_PRIVATE,
  scheduleIssue,
  type UpdateVideoBody,
  type Visibility,
} from "@streamline/contracts";
import type { VideoRow } from "../../db/schema.ts";
import { AppError } from "../../lib/errors.ts";
import type { NewVideo } from "./videos.repo.ts";

/** What to write: the row's columns, and the tags for `video_tags` when they change. */
export interface MetadataWrite {
  row: Partial<NewVideo>;
  tags?: string[];
}

export function scheduleError(): AppError {
  return new AppError(400, "validation_failed", "invalid request body", {
    issues: [{ path: "publishAt", message: SCHEDULE_NEEDS_PRIVATE, code: "custom" }],
  });
}

/** Chapters stored with the description they came from (null: it has none). */
export const chaptersJsonOf = (description: string) => {
  const chapters = parseChapters(description);
  return chapters ? JSON.stringify(chapters) : null;
};

/** Embed settings as stored (ADR 0019): `origins: null` is any origin. */
export function embedColumns(embed: EmbedSettings): Pick<NewVideo, "embedAllowed" | "embedOriginsJson"> {
  return {
    embedAllowed: embed.allowed,
    embedOriginsJson: embed.origins === null ? null : JSON.stringify(embed.origins),
  };
}

/**
 * Columns for an edit of `current`. Making the video public or unlisted drops a schedule
 * (it is published now, by hand); a schedule on a video that stays non-private is refused.
 */
export function editWrite(current: Pick<VideoRow, "visibility">, body: UpdateVideoBody): MetadataWrite {
  const { tags, publishAt, embed, download, ...plain } = body;
  const visibility: Visibility = body.visibility ?? current.visibility;
  if (scheduleIssue(visibility, publishAt)) throw scheduleError();
  const row: Partial<NewVideo> = { ...plain };
  if (body.description !== undefined) row.chaptersJson = chaptersJsonOf(body.description);
  if (tags !== undefined) row.tagsJson = JSON.stringify(tags);
  if (embed !== undefined) Object.assign(row, embedColumns(embed));
  if (download !== undefined) row.downloadEnabled = download.enabled;
  if (publishAt !== undefined) row.publishAt = publishAt === null ? null : Date.parse(publishAt);
  else if (body.visibility && body.visibility !== "private") row.publishAt = null;
  return tags === undefined ? { row } : { row, tags };
}

/** What an upload's optional metadata adds to the new row. */
export function createWrite(
  body: {
    description?: string | undefined;
    tags?: string[] | undefined;
    category?: VideoRow["category"] | undefined;
    visibility?: Visibility | undefined;
    publishAt?: string | undefined;
  },
  defaultVisibility: Visibility,
): MetadataWrite {
  // A schedule without a visibility means "private until then", whatever the default.
  const visibility = body.visibility ?? (body.publishAt ? "private" : defaultVisibility);
  if (scheduleIssue(visibility, body.publishAt)) throw scheduleError();
  const tags = body.tags ?? [];
  return {
    row: {
      visibility,
      description: body.description ?? "",
      chaptersJson: body.description ? chaptersJsonOf(body.description) : null,
      tagsJson: JSON.stringify(tags),
      category: body.category ?? null,
      publishAt: body.publishAt ? Date.parse(body.publishAt) : null,
    },
    tags,
  };
}
