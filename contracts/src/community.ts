/**
 * Comments, comment likes, video reactions and blocked words: request and response shapes
 * (ADR 0015). Comment text is plain text: the site shows it as DOM text with links, never as
 * HTML.
 */
import { z } from "zod";
import { ChannelRef } from "./channel-ref.ts";

export const COMMENT_MAX_CHARS = 10_000;
export const BLOCKED_WORDS_MAX = 300;
export const BLOCKED_WORD_MAX_CHARS = 60;
export const COMMENT_PAGE_SIZE = 20;

export const COMMENT_ID_PATTERN = /^c_[A-Za-z0-9]{16}$/;
export const CommentId = z.string().regex(COMMENT_ID_PATTERN, "not a comment id");

/** `on`: anyone signed in with a verified address comments; `held`: every new comment waits for approval. */
export const CommentsMode = z.enum(["on", "off", "held"]);
export type CommentsMode = z.infer<typeof CommentsMode>;

export const ReactionValue = z.enum(["like", "dislike"]);
export type ReactionValue = z.infer<typeof ReactionValue>;

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const COMMENT_CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Trimmed, CRLF as LF, 1–10,000 characters; newlines and tabs are fine, other control characters are not. */
export const CommentText = z
  .string()
  .transform((s) => s.replace(/\r\n?/g, "\n").trim())
  .pipe(
    z
      .string()
      .min(1, "a comment cannot be empty")
      .max(COMMENT_MAX_CHARS, `a comment is at most ${COMMENT_MAX_CHARS} characters`)
      .refine((s) => !COMMENT_CONTROL_CHARS.test(s), "must not contain control characters"),
  );

export const CreateCommentBody = z.object({
  text: CommentText,
  /** Reply to this comment (a reply to a reply joins the top-level thread with an @mention). */
  parentId: CommentId.optional(),
});
export type CreateCommentBody = z.input<typeof CreateCommentBody>;

export const EditCommentBody = z.object({ text: CommentText });

export const CommentSort = z.enum(["newest", "top"]);
export type CommentSort = z.infer<typeof CommentSort>;

/** Opaque keyset cursors: `n.<createdAt>.<id>` (newest, replies) or `t.<likes>.<createdAt>.<id>` (top). */
export const COMMENT_CURSOR_PATTERN = /^(?:n|t\.\d{1,12})\.\d{1,15}\.c_[A-Za-z0-9]{16}$/;
const CommentCursor = z.string().regex(COMMENT_CURSOR_PATTERN, "not a cursor from nextCursor");

export const CommentListQuery = z.object({
  sort: CommentSort.default("newest"),
  cursor: CommentCursor.optional(),
});
export const ReplyListQuery = z.object({ cursor: CommentCursor.optional() });

export const CommentDto = z.object({
  id: z.string(),
  /** The author's channel (null only when it is gone). */
  author: ChannelRef.nullable(),
  text: z.string(),
  createdAt: z.string(),
  /** Set once the author edited the text. */
  editedAt: z.string().optional(),
  likeCount: z.number().int(),
  /** Visible replies (top-level comments). */
  replyCount: z.number().int(),
  pinned: z.boolean(),
  /** Waiting for the video owner's approval: only its author and the owner see it. */
  held: z.boolean().optional(),
  /** The top-level comment a reply belongs to. */
  parentId: z.string().optional(),
  /** The signed-in caller liked it. */
  liked: z.boolean().optional(),
  /** The caller wrote it (may edit and delete). */
  mine: z.boolean().optional(),
});
export type CommentDto = z.infer<typeof CommentDto>;

export const CommentListResponse = z.object({
  comments: z.array(CommentDto),
  nextCursor: z.string().nullable(),
});
export type CommentListResponse = z.infer<typeof CommentListResponse>;

export const CommentLikeBody = z.object({ liked: z.boolean() });
export const CommentLikeResponse = z.object({ likeCount: z.number().int(), liked: z.boolean() });
export type CommentLikeResponse = z.infer<typeof CommentLikeResponse>;

export const ReactionBody = z.object({ value: z.enum(["like", "dislike", "none"]) });
export type ReactionBody = z.infer<typeof ReactionBody>;

export const ReactionResponse = z.object({
  likeCount: z.number().int(),
  /** The video's owner only (viewers see likes only, as on YouTube: ADR 0015). */
  dislikeCount: z.number().int().optional(),
  myReaction: ReactionValue.nullable(),
});
export type ReactionResponse = z.infer<typeof ReactionResponse>;

/** Lower-cased, trimmed, inner whitespace collapsed, duplicates dropped. */
const BlockedWord = z
  .string()
  .transform((s) => s.trim().toLowerCase().replace(/\s+/g, " "))
  .pipe(z.string().min(1, "a blocked word cannot be empty").max(BLOCKED_WORD_MAX_CHARS));

export const BlockedWordsBody = z.object({
  words: z
    .array(BlockedWord)
    .max(BLOCKED_WORDS_MAX, `at most ${BLOCKED_WORDS_MAX} blocked words`)
    .transform((words) => [...new Set(words)]),
});
export type BlockedWordsBody = z.input<typeof BlockedWordsBody>;

export const BlockedWordsResponse = z.object({ words: z.array(z.string()) });
export type BlockedWordsResponse = z.infer<typeof BlockedWordsResponse>;
