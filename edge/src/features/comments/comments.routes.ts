/**
 * Comments (ADR 0015): a video's threads and their replies, writing, editing, deleting,
 * pinning, approving held ones, likes, and the channel's blocked words.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  BlockedWordsBody,
  BlockedWordsResponse,
  CommentDto,
  CommentId,
  CommentLikeBody,
  CommentLikeResponse,
  CommentListQuery,
  CommentListResponse,
  CreateCommentBody,
  EditCommentBody,
  ReplyListQuery,
  VideoId,
} from "@streamline/contracts";
import type { AppEnv } from "../../lib/app-env.ts";
import { notFound } from "../../lib/errors.ts";
import {
  BEARER,
  errorDoc,
  errors,
  json,
  jsonBody,
  OPTIONAL_BEARER,
  openApiRouter,
  validationHook,
} from "../../lib/openapi.ts";
import { VIDEO, VIDEO_ID } from "../../lib/openapi-examples.ts";
import { currentUserId } from "../../middleware/auth/index.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { optionalAuth, requireAuth } from "../auth/auth.middleware.ts";
import { EMAIL_UNVERIFIED_MESSAGE } from "../auth/email-verification.ts";
import { CommentsService } from "./comments.service.ts";

const tags = ["comments"];
const COMMENT_ID = "c_Hx7Kp2Qr9Tz4Wm6N";
const COMMENT: CommentDto = {
  id: COMMENT_ID,
  author: VIDEO.channel,
  text: "The light at 0:12 — see https://example.com/bay",
  createdAt: "2026-11-23T11:00:00.000Z",
  likeCount: 3,
  replyCount: 1,
  pinned: false,
};
const PAGE = { comments: [COMMENT], nextCursor: `n.1763895600000.${COMMENT_ID}` };
const videoParams = z.object({ id: VideoId.meta({ example: VIDEO_ID }) });
const commentParams = z.object({ id: CommentId.meta({ example: COMMENT_ID }) });
const byUser = (name: "RL_COMMENTS" | "RL_REACTIONS" | "RL_EDITS") => rateLimit(name, (c) => c.var.userId);
const forbiddenDoc = (message: string) => errorDoc(403, { code: "forbidden", message });
const disabledDoc = errorDoc(403, {
  code: "comments_disabled",
  message: "comments are turned off for this video",
  description: "The video's owner turned comments off (`commentsMode: off`), or the caller may not do this",
});

const list = createRoute({
  method: "get",
  path: "/{id}/comments",
  tags,
  summary: "A video's top-level comments, newest or top first",
  description:
    "20 a page; the pinned comment comes first on the first page. Held comments are listed only for " +
    "their author and the video's owner (`held: true`). With comments turned off, only the owner sees any.",
  security: OPTIONAL_BEARER,
  middleware: [optionalAuth()] as const,
  request: { params: videoParams, query: CommentListQuery },
  responses: { 200: json(CommentListResponse, "One page", PAGE), ...errors(400, 401, 404) },
});

const create = createRoute({
  method: "post",
  path: "/{id}/comments",
  tags,
  summary: "Comment on a video, or reply to a comment",
  description:
    "Plain text, 1–10,000 characters. Needs a verified email address (always). A reply to a reply joins " +
    "the top-level thread and starts with an @mention of the author it answers. Comments matching the " +
    "channel's blocked words, or any comment while the video holds comments for approval, are held. " +
    "Limited per user (`RL_COMMENTS`).",
  security: BEARER,
  middleware: [requireAuth(), byUser("RL_COMMENTS")] as const,
  request: { params: videoParams, body: jsonBody(CreateCommentBody, { text: "Lovely light at 0:12" }) },
  responses: {
    201: json(CommentDto, "The new comment", COMMENT),
    ...errors(400, 401, 404, 413, 415, 429),
    409: errorDoc(409, { code: "comment_held", message: "a comment waiting for review cannot be answered" }),
    403: errorDoc(403, {
      code: "email_unverified",
      message: EMAIL_UNVERIFIED_MESSAGE,
      description: "The caller's address is not verified, or comments are off (`comments_disabled`)",
    }),
  },
});

const held = createRoute({
  method: "get",
  path: "/{id}/comments/held",
  tags,
  summary: "Comments waiting for review on one of your videos (owner only)",
  security: BEARER,
  middleware: [requireAuth()] as const,
  request: { params: videoParams, query: ReplyListQuery },
  responses: {
    200: json(CommentListResponse, "Held comments, newest first", {
      comments: [{ ...COMMENT, held: true }],
      nextCursor: null,
    }),
    ...errors(400, 401, 404),
  },
});

export const videoCommentsRoutes = openApiRouter()
  .openapi(list, async (c) => {
    const { sort, cursor } = c.req.valid("query");
    const page = await new CommentsService(c.var.services).list(
      c.req.valid("param").id,
      c.var.userId ?? null,
      sort,
      cursor,
    );
    if (c.var.userId) c.header("cache-control", "private, no-store");
    return c.json(page, 200);
  })
  .openapi(create, async (c) => {
    const service = new CommentsService(c.var.services);
    const comment = await service.create(c.req.valid("param").id, currentUserId(c), c.req.valid("json"));
    return c.json(comment, 201);
  })
  .openapi(held, async (c) => {
    const service = new CommentsService(c.var.services);
    const page = await service.held(c.req.valid("param").id, currentUserId(c), c.req.valid("query").cursor);
    c.header("cache-control", "private, no-store");
    return c.json(page, 200);
  });

const replies = createRoute({
  method: "get",
  path: "/{id}/replies",
  tags,
  summary: "A thread's replies, oldest first",
  security: OPTIONAL_BEARER,
  middleware: [optionalAuth()] as const,
  request: { params: commentParams, query: ReplyListQuery },
  responses: { 200: json(CommentListResponse, "One page", PAGE), ...errors(400, 401, 404) },
});

const edit = createRoute({
  method: "patch",
  path: "/{id}",
  tags,
  summary: "Edit your comment (marked edited)",
  description:
    "An edit that adds a blocked word sends the comment back to review. Limited per user (`RL_EDITS`).",
  security: BEARER,
  middleware: [requireAuth(), byUser("RL_EDITS")] as const,
  request: { params: commentParams, body: jsonBody(EditCommentBody, { text: "Lovely light at 0:13" }) },
  responses: {
    200: json(CommentDto, "The edited comment", { ...COMMENT, editedAt: "2026-11-23T11:05:00.000Z" }),
    ...errors(400, 401, 404, 413, 415, 429),
    403: forbiddenDoc("only its author may edit a comment"),
  },
});

const remove = createRoute({
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Delete a comment (its author, or the video's owner); a thread goes with its replies",
  security: BEARER,
  middleware: [requireAuth(), byUser("RL_EDITS")] as const,
  request: { params: commentParams },
  responses: {
    204: { description: "Deleted" },
    ...errors(401, 404, 429),
    403: forbiddenDoc("only its author or the video's owner may delete a comment"),
  },
});

const ownerAction = (method: "post" | "delete", path: string, summary: string) =>
  createRoute({
    method,
    path,
    tags,
    summary,
    security: BEARER,
    middleware: [requireAuth(), byUser("RL_EDITS")] as const,
    request: { params: commentParams },
    responses: {
      200: json(CommentDto, "The comment after it", {
        ...COMMENT,
        pinned: method === "post" && path.endsWith("pin"),
      }),
      ...errors(401, 404, 429),
      403: forbiddenDoc("only the video's owner may do this"),
      409: errorDoc(409, { code: "not_top_level", message: "only a top-level comment can be pinned" }),
    },
  });

const pin = ownerAction("post", "/{id}/pin", "Pin a top-level comment (owner only; unpins the previous one)");
const unpin = ownerAction("delete", "/{id}/pin", "Unpin a comment (owner only)");
const approve = ownerAction("post", "/{id}/approve", "Approve a held comment (owner only)");

const like = createRoute({
  method: "put",
  path: "/{id}/like",
  tags,
  summary: "Like or unlike a comment",
  description: "`{ liked: true }` twice counts once. Limited per user (`RL_REACTIONS`).",
  security: BEARER,
  middleware: [requireAuth(), byUser("RL_REACTIONS")] as const,
  request: { params: commentParams, body: jsonBody(CommentLikeBody, { liked: true }) },
  responses: {
    200: json(CommentLikeResponse, "The comment's likes after it", { likeCount: 4, liked: true }),
    ...errors(400, 401, 404, 409, 413, 415, 429),
    403: disabledDoc,
  },
});

/** A malformed comment id names no comment: 404 "comment not found". */
const commentRouter = () =>
  new OpenAPIHono<AppEnv>({ defaultHook: validationHook({ param: () => notFound("comment") }) });

export const commentsRoutes = commentRouter()
  .openapi(replies, async (c) => {
    const service = new CommentsService(c.var.services);
    const page = await service.replies(
      c.req.valid("param").id,
      c.var.userId ?? null,
      c.req.valid("query").cursor,
    );
    if (c.var.userId) c.header("cache-control", "private, no-store");
    return c.json(page, 200);
  })
  .openapi(edit, async (c) => {
    const service = new CommentsService(c.var.services);
    return c.json(
      await service.edit(c.req.valid("param").id, currentUserId(c), c.req.valid("json").text),
      200,
    );
  })
  .openapi(remove, async (c) => {
    await new CommentsService(c.var.services).remove(c.req.valid("param").id, currentUserId(c));
    return c.body(null, 204);
  })
  .openapi(pin, async (c) =>
    c.json(
      await new CommentsService(c.var.services).pin(c.req.valid("param").id, currentUserId(c), true),
      200,
    ),
  )
  .openapi(unpin, async (c) =>
    c.json(
      await new CommentsService(c.var.services).pin(c.req.valid("param").id, currentUserId(c), false),
      200,
    ),
  )
  .openapi(approve, async (c) =>
    c.json(await new CommentsService(c.var.services).approve(c.req.valid("param").id, currentUserId(c)), 200),
  )
  .openapi(like, async (c) => {
    const service = new CommentsService(c.var.services);
    return c.json(
      await service.like(c.req.valid("param").id, currentUserId(c), c.req.valid("json").liked),
      200,
    );
  });

const getWords = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "Your channel's blocked words",
  description: "Comments on your videos containing one of them (whole words, any case) are held for review.",
  security: BEARER,
  middleware: [requireAuth()] as const,
  responses: { 200: json(BlockedWordsResponse, "The list", { words: ["spam", "buy now"] }), ...errors(401) },
});

const putWords = createRoute({
  method: "put",
  path: "/",
  tags,
  summary: "Replace your channel's blocked words",
  description:
    "At most 300 words or phrases of 1–60 characters; lower-cased, duplicates dropped. Limited per user (`RL_EDITS`).",
  security: BEARER,
  middleware: [requireAuth(), byUser("RL_EDITS")] as const,
  request: { body: jsonBody(BlockedWordsBody, { words: ["spam", "Buy now"] }) },
  responses: {
    200: json(BlockedWordsResponse, "The list as stored", { words: ["spam", "buy now"] }),
    ...errors(400, 401, 413, 415, 429),
  },
});

export const blockedWordsRoutes = openApiRouter()
  .openapi(getWords, async (c) => {
    c.header("cache-control", "private, no-store");
    return c.json({ words: await new CommentsService(c.var.services).blockedWords(currentUserId(c)) }, 200);
  })
  .openapi(putWords, async (c) => {
    const words = await new CommentsService(c.var.services).setBlockedWords(
      currentUserId(c),
      c.req.valid("json").words,
    );
    return c.json({ words }, 200);
  });
