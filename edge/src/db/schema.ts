/**
 * D1 schema (drizzle). The durable truth about videos and their uploads; migrations in
 * /migrations are generated from this file with `npx drizzle-kit generate`.
 */
import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

export const videos = sqliteTable(
  "videos",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id"),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    visibility: text("visibility", { enum: ["public", "unlisted", "private"] })
      .notNull()
      .default("public"),
    status: text("status", { enum: ["uploading", "queued", "processing", "ready", "failed"] }).notNull(),
    playable: integer("playable", { mode: "boolean" }).notNull().default(false),
    /** Owner-facing detail of a failure, sanitized (no URLs, hosts, paths or raw ffmpeg lines). */
    failureReason: text("failure_reason"),
    /** What viewers see of a failure: one word from contracts' fixed vocabulary (hole 10, issue 11). */
    failureCode: text("failure_code"),
    // upload
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    partSize: integer("part_size").notNull(),
    partCount: integer("part_count").notNull(),
    uploadId: text("upload_id"),
    uploadExpiresAt: integer("upload_expires_at").notNull(),
    // job
    jobId: text("job_id"),
    attempt: integer("attempt").notNull().default(0),
    attemptId: text("attempt_id"),
    lastEventSeq: integer("last_event_seq").notNull().default(-1),
    heartbeatAt: integer("heartbeat_at"),
    progressJson: text("progress_json"),
    // media
    durationSec: real("duration_sec"),
    width: integer("width"),
    height: integer("height"),
    probeJson: text("probe_json"),
    renditionsJson: text("renditions_json").notNull().default("[]"),
    masterKey: text("master_key"),
    posterKey: text("poster_key"),
    posterWebpKey: text("poster_webp_key"),
    /** The poster at several widths (WebP, `[{ key, width, height }]`, ADR 0033); null: none made. */
    posterSizesJson: text("poster_sizes_json"),
    /** The poster job whose result we are waiting for (custom poster uploads). */
    posterAttemptId: text("poster_attempt_id"),
    trickplayKey: text("trickplay_key"),
    // metadata (issue 12)
    /** One of contracts' fixed category list; null = none chosen. */
    category: text("category"),
    /** Normalized tags in the owner's order (JSON array); `video_tags` indexes them. */
    tagsJson: text("tags_json").notNull().default("[]"),
    /** `0:00 Intro` lines of the description, parsed on write (JSON array of { startSec, title }). */
    chaptersJson: text("chapters_json"),
    /** A private video turns public at this time (the cron does it). */
    publishAt: integer("publish_at"),
    /** When the video first became public (feeds, `VideoDto.publishedAt`). */
    publishedAt: integer("published_at"),
    /** Counted views (filled by the community issue's view counting); orders a channel's "popular" tab. */
    viewCount: integer("view_count").notNull().default(0),
    /** Seconds of real playback, all viewers (ADR 0016). */
    watchSec: real("watch_sec").notNull().default(0),
    // community (issue 13): counters kept in the same D1 batch as the rows they count (ADR 0015)
    likeCount: integer("like_count").notNull().default(0),
    dislikeCount: integer("dislike_count").notNull().default(0),
    /** Visible comments and replies (held ones are not counted until approved). */
    commentCount: integer("comment_count").notNull().default(0),
    /** `on`, `off` (nobody may comment) or `held` (every new comment waits for the owner's approval). */
    commentsMode: text("comments_mode", { enum: ["on", "off", "held"] })
      .notNull()
      .default("on"),
    /**
     * Bumped whenever the video loses viewers (made private, unlisted → private, deleted):
     * playback tokens carry the epoch they were issued under, and delivery refuses an older
     * one (ADR 0003).
     */
    accessEpoch: integer("access_epoch").notNull().default(0),
    /** When the source object under uploads/ was deleted (failed videos, after the retention period). */
    sourceDeletedAt: integer("source_deleted_at"),
    // embeds (issue 14)
    /** Whether `/embed/:id` may play this video inside other sites' iframes. */
    embedAllowed: integer("embed_allowed", { mode: "boolean" }).notNull().default(true),
    /** Optional allow-list of origins that may frame the embed (JSON array); null = any origin. */
    embedOriginsJson: text("embed_origins_json"),
    // moderation (issue 15)
    /** Set when a moderator takes the video down: hidden everywhere but the owner's studio. */
    takenDownAt: integer("taken_down_at"),
    /** The reason shown to the owner with a takedown. */
    takedownReason: text("takedown_reason"),
    // integrators (issue 16, ADR 0027)
    /** Static MP4 downloads: true/false set by the owner; null = the MP4_DOWNLOADS default. */
    downloadEnabled: integer("download_enabled", { mode: "boolean" }),
    /** Per rung: `{ "720p": { status, attemptId, at, key?, size? } }` (features/downloads). */
    downloadsJson: text("downloads_json"),
    /** A clip's source video: the clip plays the source's segments (features/clips). */
    clipOf: text("clip_of"),
    /** The clip's range in the source, snapped to segment boundaries. */
    clipStartSec: real("clip_start_sec"),
    clipEndSec: real("clip_end_sec"),
    createdAt: integer("created_at").notNull().default(sql`(unixepoch() * 1000)`),
    updatedAt: integer("updated_at").notNull().default(sql`(unixepoch() * 1000)`),
    queuedAt: integer("queued_at"),
    readyAt: integer("ready_at"),
  },
  (t) => [
    index("videos_status_idx").on(t.status, t.updatedAt),
    index("videos_owner_page_idx").on(t.ownerId, t.createdAt, t.id),
    index("videos_public_page_idx").on(t.visibility, t.status, t.createdAt, t.id),
    index("videos_owner_status_idx").on(t.ownerId, t.status),
    index("videos_publish_at_idx").on(t.publishAt),
    /** A channel's "popular" tab: keyset on (viewCount, id) within one owner (ADR 0011). */
    index("videos_owner_popular_idx").on(t.ownerId, t.viewCount, t.id),
    /** The clips of a source (deleted with it). */
    index("videos_clip_of_idx").on(t.clipOf).where(sql`${t.clipOf} is not null`),
    /**
     * The subscription feed (ADR 0017): per subscribed owner, published public ready videos
     * newest first; partial, so it holds only what a feed may show.
     */
    index("videos_feed_idx")
      .on(t.ownerId, t.publishedAt, t.id)
      .where(sql`${t.visibility} = 'public' and ${t.status} = 'ready' and ${t.publishedAt} is not null`),
    /** "Up next" (ADR 0022): the newest listable videos of one category, a bounded candidate set. */
    index("videos_category_idx")
      .on(t.category, t.publishedAt, t.id)
      .where(sql`${t.visibility} = 'public' and ${t.status} = 'ready' and ${t.publishedAt} is not null`),
  ],
);

export const uploadParts = sqliteTable(
  "upload_parts",
  {
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    partNumber: integer("part_number").notNull(),
    etag: text("etag").notNull(),
    size: integer("size").notNull(),
    createdAt: integer("created_at").notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.partNumber] })],
);

/** A video's tags, one row each, for lookups by tag (related videos, search). */
export const videoTags = sqliteTable(
  "video_tags",
  {
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    tag: text("tag").notNull(),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.tag] }), index("video_tags_tag_idx").on(t.tag, t.videoId)],
);

/** Accounts. `email` and `handle` are stored normalised (trimmed, lower-case), so unique means unique. */
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    handle: text("handle").notNull(),
    /**
     * `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>`: the cost travels with the hash.
     * `!no-password` (NO_PASSWORD, lib/passwords.ts) for an account created by signing in with an
     * OpenID provider that never set one: no hash matches it (ADR 0012).
     */
    passwordHash: text("password_hash").notNull(),
    /** When the current `email` was proven (a verification link, or a provider's verified claim). */
    emailVerifiedAt: integer("email_verified_at"),
    /** Set by a moderator: sessions revoked, content hidden, sign-in refused with `suspendReason`. */
    suspendedAt: integer("suspended_at"),
    suspendReason: text("suspend_reason"),
    createdAt: integer("created_at").notNull().default(sql`(unixepoch() * 1000)`),
    updatedAt: integer("updated_at").notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [uniqueIndex("users_email_uq").on(t.email), uniqueIndex("users_handle_uq").on(t.handle)],
);

/**
 * A signed-in device: one per login, listed in account settings. Its refresh tokens form
 * one rotation family; revoking the session (logout, "log out other devices", detected
 * refresh-token reuse) kills every token of the family and, via `sid`, its access tokens.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    familyId: text("family_id").notNull(),
    userAgent: text("user_agent").notNull().default(""),
    ip: text("ip").notNull().default(""),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at").notNull(),
    /** Sliding: every refresh pushes it out again. */
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    revokedReason: text("revoked_reason", { enum: ["logout", "revoked", "refresh_reuse"] }),
  },
  (t) => [
    index("sessions_user_idx").on(t.userId, t.lastUsedAt),
    uniqueIndex("sessions_family_uq").on(t.familyId),
  ],
);

/** Refresh tokens, stored only as SHA-256 hashes. A rotated token has `rotatedAt` set; presenting it again is theft. */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    jti: text("jti").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    familyId: text("family_id").notNull(),
    userId: text("user_id").notNull(),
    userAgent: text("user_agent").notNull().default(""),
    ip: text("ip").notNull().default(""),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    rotatedAt: integer("rotated_at"),
    replacedBy: text("replaced_by"),
  },
  (t) => [
    uniqueIndex("refresh_tokens_hash_uq").on(t.tokenHash),
    index("refresh_tokens_session_idx").on(t.sessionId),
    index("refresh_tokens_expiry_idx").on(t.expiresAt),
  ],
);

/** Every user has one channel; its handle is `users.handle`. */
export const channels = sqliteTable("channels", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  displayName: text("display_name").notNull(),
  description: text("description").notNull().default(""),
  /** JSON array of { title, url } (http/https only). */
  linksJson: text("links_json").notNull().default("[]"),
  /** Storage prefix of the current avatar's resized set (`channels/<userId>/avatar/<version>/`). */
  avatarKey: text("avatar_key"),
  bannerKey: text("banner_key"),
  /** The image jobs whose results we are waiting for. */
  avatarAttemptId: text("avatar_attempt_id"),
  bannerAttemptId: text("banner_attempt_id"),
  /** Why the last avatar/banner upload could not be rendered (the previous image stays); null once one succeeds. */
  avatarFailure: text("avatar_failure"),
  bannerFailure: text("banner_failure"),
  /** Subscribers, moved in the same D1 batch as the `subscriptions` row (ADR 0017). */
  subscriberCount: integer("subscriber_count").notNull().default(0),
  createdAt: integer("created_at").notNull().default(sql`(unixepoch() * 1000)`),
  updatedAt: integer("updated_at").notNull().default(sql`(unixepoch() * 1000)`),
});

/** A handle a channel gave up: it redirects to the channel until `expiresAt`, and nobody else may take it until then. */
export const handleRedirects = sqliteTable("handle_redirects", {
  handle: text("handle").primaryKey(),
  userId: text("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  expiresAt: integer("expires_at").notNull(),
});

export const userPreferences = sqliteTable("user_preferences", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  defaultVisibility: text("default_visibility", { enum: ["public", "unlisted", "private"] })
    .notNull()
    .default("public"),
  autoplay: integer("autoplay", { mode: "boolean" }).notNull().default(true),
  emailNotifications: integer("email_notifications", { mode: "boolean" }).notNull().default(true),
  theme: text("theme", { enum: ["system", "dark", "light"] })
    .notNull()
    .default("system"),
  historyPaused: integer("history_paused", { mode: "boolean" }).notNull().default(false),
  updatedAt: integer("updated_at").notNull().default(sql`(unixepoch() * 1000)`),
});

/** Sign-in identities at OpenID providers, linked to a user. */
export const userIdentities = sqliteTable(
  "user_identities",
  {
    provider: text("provider").notNull(),
    /** The issuer's `sub`. */
    subject: text("subject").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    email: text("email"),
    linkedAt: integer("linked_at").notNull().default(sql`(unixepoch() * 1000)`),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [primaryKey({ columns: [t.provider, t.subject] }), index("user_identities_user_idx").on(t.userId)],
);

/** Single-use links sent by mail (email verification, password reset), stored only as SHA-256 hashes. */
export const emailTokens = sqliteTable(
  "email_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["verify_email", "reset_password"] }).notNull(),
    /** The address the link was sent to (a verification proves this one, not whatever the account holds later). */
    email: text("email").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("email_tokens_user_idx").on(t.userId, t.purpose)],
);

/**
 * Roles granted by an operator (`npm run admin -- grant <email> <role>`), never by signing up
 * with a particular address (hole 6, issue 11).
 */
export const userRoles = sqliteTable(
  "user_roles",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["admin", "moderator"] }).notNull(),
    grantedAt: integer("granted_at").notNull().default(sql`(unixepoch() * 1000)`),
    /** Who granted it: "cli" for the operator command, or the granting admin's user id. */
    grantedBy: text("granted_by").notNull().default("cli"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] })],
);

/**
 * Failed sign-in attempts per key (a normalised email), for a progressive delay instead of
 * a lock-out (hole 7, issue 11). Rows are cleared by a successful login and by the cron.
 */
export const authThrottle = sqliteTable("auth_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  firstFailureAt: integer("first_failure_at").notNull(),
  lastFailureAt: integer("last_failure_at").notNull(),
});

/** Caption tracks owners uploaded; the .vtt and its one-segment playlist live in storage. */
export const captions = sqliteTable(
  "captions",
  {
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    lang: text("lang").notNull(),
    label: text("label").notNull(),
    isDefault: integer("is_default", { mode: "boolean" }).notNull().default(false),
    cues: integer("cues").notNull(),
    createdAt: integer("created_at").notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.lang] })],
);

/**
 * Comments on videos. A reply's `parentId` is always a top-level comment (a reply to a reply
 * joins that thread with an @mention). `held` ones are shown only to their author and the
 * video's owner until approved (ADR 0015).
 */
export const comments = sqliteTable(
  "comments",
  {
    id: text("id").primaryKey(),
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    authorId: text("author_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    parentId: text("parent_id").references((): AnySQLiteColumn => comments.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
    likeCount: integer("like_count").notNull().default(0),
    /** Visible replies (top-level comments only). */
    replyCount: integer("reply_count").notNull().default(0),
    pinned: integer("pinned", { mode: "boolean" }).notNull().default(false),
    held: integer("held", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
    editedAt: integer("edited_at"),
  },
  (t) => [
    index("comments_video_newest_idx").on(t.videoId, t.parentId, t.createdAt, t.id),
    index("comments_video_top_idx").on(t.videoId, t.parentId, t.likeCount, t.createdAt, t.id),
    index("comments_parent_idx").on(t.parentId, t.createdAt, t.id),
    index("comments_held_idx").on(t.videoId, t.held, t.createdAt),
    /** Trending (ADR 0022): the last 48 h of comments, read by time. */
    index("comments_recent_idx").on(t.createdAt, t.videoId, t.authorId),
    /** At most one pinned comment per video. */
    uniqueIndex("comments_pinned_uq").on(t.videoId).where(sql`${t.pinned} = 1`),
  ],
);

/** Who liked which comment: the primary key makes a like count once. */
export const commentLikes = sqliteTable(
  "comment_likes",
  {
    commentId: text("comment_id")
      .notNull()
      .references(() => comments.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.commentId, t.userId] })],
);

/** One like or dislike per user per video (the primary key); counters on `videos`. */
export const videoReactions = sqliteTable(
  "video_reactions",
  {
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    value: text("value", { enum: ["like", "dislike"] }).notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.videoId, t.userId] }),
    /** Trending (ADR 0022): the last 48 h of likes, read by time. */
    index("video_reactions_likes_recent_idx").on(t.createdAt, t.videoId).where(sql`${t.value} = 'like'`),
  ],
);

/** A channel's blocked words: comments containing one are held for review. */
export const channelBlockedWords = sqliteTable("channel_blocked_words", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  /** JSON array of lower-cased words or phrases. */
  wordsJson: text("words_json").notNull().default("[]"),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Watch history and resume positions (ADR 0016): one row per user and video, written by the
 * video's ViewCounter Durable Object when its alarm flushes (never per heartbeat).
 */
export const watchHistory = sqliteTable(
  "watch_history",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    /** Where to resume (0 once finished: still in the history). */
    positionSec: real("position_sec").notNull().default(0),
    /** The video's duration when last watched (the history's progress bar). */
    durationSec: real("duration_sec"),
    watchedAt: integer("watched_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.videoId] }),
    index("watch_history_user_recent_idx").on(t.userId, t.watchedAt, t.videoId),
    /** "Up next" co-watching (ADR 0022): a video's most recent viewers. */
    index("watch_history_video_recent_idx").on(t.videoId, t.watchedAt),
  ],
);

/**
 * When a user last cleared their whole history: positions still buffered in a ViewCounter
 * from before that moment are dropped when it flushes (ADR 0016).
 */
export const watchHistoryClears = sqliteTable("watch_history_clears", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  clearedAt: integer("cleared_at").notNull(),
});

/** Daily views and watch time per video (flushed by the ViewCounter; the analytics issue reads it). */
export const videoStatsDaily = sqliteTable(
  "video_stats_daily",
  {
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    /** UTC day, `YYYY-MM-DD`. */
    day: text("day").notNull(),
    views: integer("views").notNull().default(0),
    watchSec: real("watch_sec").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.day] }), index("video_stats_daily_day_idx").on(t.day)],
);

/** Retention samples: how many heartbeats were at each of 100 position buckets of a video. */
export const videoRetention = sqliteTable(
  "video_retention",
  {
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    /** 0–99: the position as a percentage of the duration. */
    bucket: integer("bucket").notNull(),
    samples: integer("samples").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.bucket] })],
);

/** Who subscribes to which channel (a channel is its owner's user id); ADR 0017. */
export const subscriptions = sqliteTable(
  "subscriptions",
  {
    subscriberId: text("subscriber_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    channelId: text("channel_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.subscriberId, t.channelId] }),
    /** Fan-out: a channel's subscribers in keyset chunks. */
    index("subscriptions_channel_idx").on(t.channelId, t.subscriberId),
    /** `GET /api/me/subscriptions`: newest first. */
    index("subscriptions_page_idx").on(t.subscriberId, t.createdAt, t.channelId),
  ],
);

/**
 * One row per notification per recipient (ADR 0017). `new_video` rows are inserted by the
 * notifications queue consumer, set-based from `subscriptions` (never one write per
 * subscriber on a request); the partial unique index makes a redelivered fan-out a no-op.
 */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type", {
      enum: ["new_video", "comment_reply", "video_comment", "video_ready", "video_failed", "moderation"],
    }).notNull(),
    actorUserId: text("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    videoId: text("video_id").references(() => videos.id, { onDelete: "cascade" }),
    commentId: text("comment_id").references(() => comments.id, { onDelete: "cascade" }),
    /** `moderation` only: what a moderator did and why, as the recipient reads it (issue 15). */
    detail: text("detail"),
    createdAt: integer("created_at").notNull(),
    readAt: integer("read_at"),
  },
  (t) => [
    index("notifications_user_page_idx").on(t.userId, t.createdAt, t.id),
    index("notifications_user_unread_idx").on(t.userId, t.createdAt, t.id).where(sql`${t.readAt} is null`),
    uniqueIndex("notifications_new_video_uq").on(t.userId, t.videoId).where(sql`${t.type} = 'new_video'`),
  ],
);

/** Users with a live notifications socket (kept by their NotificationsHub): who the fan-out pushes to. */
export const notificationPresence = sqliteTable("notification_presence", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  since: integer("since").notNull(),
});

/**
 * API keys for server-to-server use (ADR 0025). The secret is shown once; only its SHA-256
 * is kept (a 256-bit random key needs no slow hash). `prefix` is what lists show.
 */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** `sl_` + the first 8 characters of the secret: enough to recognise a key, never to use it. */
    prefix: text("prefix").notNull(),
    /** Hex SHA-256 of the whole key. */
    keyHash: text("key_hash").notNull(),
    /** JSON array of scopes (contracts' ApiKeyScope). */
    scopesJson: text("scopes_json").notNull(),
    createdAt: integer("created_at").notNull(),
    /** Written at most once a minute per key (the auth path reads it and skips fresher writes). */
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    uniqueIndex("api_keys_hash_uq").on(t.keyHash),
    index("api_keys_user_idx").on(t.userId, t.createdAt),
  ],
);

/** A user's webhook endpoints (ADR 0025). The signing secret is sealed with AES-GCM (lib secret-box). */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    /** JSON array of event types (contracts' WebhookEventType). */
    eventsJson: text("events_json").notNull(),
    secretSealed: text("secret_sealed").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** Why it was switched off by the platform (`gone`: the receiver answered 410). */
    disabledReason: text("disabled_reason"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("webhook_endpoints_user_idx").on(t.userId, t.createdAt)],
);

/**
 * One event to one endpoint: the signed body, its state and retry schedule. Unique per
 * (endpoint, event) so a redelivered fan-out message inserts nothing twice.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    /** The exact JSON body sent (signed per attempt with a fresh timestamp). */
    payload: text("payload").notNull(),
    status: text("status", { enum: ["pending", "retrying", "delivered", "failed"] }).notNull(),
    /** Attempts made so far. */
    attempt: integer("attempt").notNull().default(0),
    responseCode: integer("response_code"),
    latencyMs: integer("latency_ms"),
    lastError: text("last_error"),
    nextAttemptAt: integer("next_attempt_at"),
    /** No automatic retry is scheduled after this (created or manually redelivered + 24 h). */
    retryUntil: integer("retry_until").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event_uq").on(t.endpointId, t.eventId),
    index("webhook_deliveries_page_idx").on(t.endpointId, t.createdAt, t.id),
  ],
);

/** Every attempt of a delivery: the log `/account` shows. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    startedAt: integer("started_at").notNull(),
    responseCode: integer("response_code"),
    latencyMs: integer("latency_ms"),
    /** delivered | retry | failed | gone | refused (SSRF) */
    outcome: text("outcome").notNull(),
    error: text("error"),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.attempt] })],
);

/**
 * A user's report of a video, comment or channel (issue 15, ADR 0024). `targetId` is the
 * video id, the comment id or the channel's user id; `targetOwnerId` whose content it is.
 * At most one open report per reporter per target (the partial unique index). No foreign
 * key on the target: a report outlives what it reported (the queue shows "removed").
 */
export const reports = sqliteTable(
  "reports",
  {
    id: text("id").primaryKey(),
    reporterId: text("reporter_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    targetType: text("target_type", { enum: ["video", "comment", "channel"] }).notNull(),
    targetId: text("target_id").notNull(),
    targetOwnerId: text("target_owner_id"),
    reason: text("reason").notNull(),
    details: text("details"),
    status: text("status", { enum: ["open", "resolved"] })
      .notNull()
      .default("open"),
    /** The moderator's action that closed it (`dismiss`, `take_down`, …) and their note. */
    resolution: text("resolution"),
    resolvedBy: text("resolved_by"),
    resolvedAt: integer("resolved_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("reports_open_uq")
      .on(t.reporterId, t.targetType, t.targetId)
      .where(sql`${t.status} = 'open'`),
    /** The queue: open reports by target, oldest first. */
    index("reports_status_idx").on(t.status, t.createdAt),
    index("reports_target_idx").on(t.targetType, t.targetId, t.status),
  ],
);

/**
 * Every moderation action: who, what, on what, why, when. Append-only: no route updates or
 * deletes a row and triggers (hand-written in the migration) make SQLite refuse UPDATE and
 * DELETE. No foreign keys, so deleting an account never needs to touch the log; the
 * actor's handle is copied in.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    actorId: text("actor_id").notNull(),
    actorHandle: text("actor_handle").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    reportId: text("report_id"),
    note: text("note").notNull().default(""),
    /** What the target was at the time (a removed comment's text, a video's title). */
    snapshot: text("snapshot"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("audit_log_page_idx").on(t.createdAt, t.id)],
);

/**
 * Counted views per video per UTC hour (`hour` = epoch ms / 3,600,000), written by the
 * ViewCounter's flush beside `video_stats_daily`; only the trending cron reads it, and it
 * prunes rows older than its 48 h window (ADR 0022).
 */
export const videoStatsHourly = sqliteTable(
  "video_stats_hourly",
  {
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    hour: integer("hour").notNull(),
    views: integer("views").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.videoId, t.hour] }),
    index("video_stats_hourly_hour_idx").on(t.hour, t.videoId, t.views),
  ],
);

/**
 * The trending rankings the cron computed (ADR 0022), one generation per run (`computed_at`),
 * each written whole in one batch; generations older than TRENDING.keepMs are dropped. `GET
 * /api/trending` pages the newest by rank, and a cursor keeps paging the generation it
 * started in — a recomputation between two pages neither repeats nor skips a video.
 */
export const trending = sqliteTable(
  "trending",
  {
    rank: integer("rank").notNull(),
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    score: real("score").notNull(),
    computedAt: integer("computed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.computedAt, t.rank] }), index("trending_video_idx").on(t.videoId)],
);

export type VideoRow = typeof videos.$inferSelect;
export type SubscriptionRow = typeof subscriptions.$inferSelect;
export type NotificationRow = typeof notifications.$inferSelect;
export type CommentRow = typeof comments.$inferSelect;
export type VideoReactionRow = typeof videoReactions.$inferSelect;
export type CaptionRow = typeof captions.$inferSelect;
export type UploadPartRow = typeof uploadParts.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type UserRoleRow = typeof userRoles.$inferSelect;
export type ChannelRow = typeof channels.$inferSelect;
export type HandleRedirectRow = typeof handleRedirects.$inferSelect;
export type UserPreferencesRow = typeof userPreferences.$inferSelect;
export type UserIdentityRow = typeof userIdentities.$inferSelect;
export type EmailTokenRow = typeof emailTokens.$inferSelect;
export type VideoTagRow = typeof videoTags.$inferSelect;
export type AuthThrottleRow = typeof authThrottle.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect;
export type WatchHistoryRow = typeof watchHistory.$inferSelect;
export type ReportRow = typeof reports.$inferSelect;
export type AuditLogRow = typeof auditLog.$inferSelect;

/**
 * Creator analytics (ADR 0023). Views and watch time per traffic source and device, per video
 * and UTC day, flushed by the ViewCounter beside `video_stats_daily`: `dim` is `source` or
 * `device`, `key` the value (contracts' TrafficSource / DeviceClass).
 */
export const videoTrafficDaily = sqliteTable(
  "video_traffic_daily",
  {
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    dim: text("dim", { enum: ["source", "device"] }).notNull(),
    key: text("key").notNull(),
    views: integer("views").notNull().default(0),
    watchSec: real("watch_sec").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.videoId, t.day, t.dim, t.key] }),
    index("video_traffic_daily_day_idx").on(t.day),
  ],
);

/**
 * Running totals of `video_stats_daily` per video (views and watch time from its first day
 * through `day`), rebuilt by the cron for the videos whose days changed: a range's sum is two
 * key lookups per video (ADR 0023), not a row per day.
 */
export const videoStatsCumulative = sqliteTable(
  "video_stats_cumulative",
  {
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    views: integer("views").notNull().default(0),
    watchSec: real("watch_sec").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.videoId, t.day] }),
    /**
     * Covering: the channel report's four lookups per video (the totals at either end of the
     * range) read the index alone, not the index and then the row (ADR 0023).
     */
    index("video_stats_cumulative_cover_idx").on(t.videoId, t.day, t.views, t.watchSec),
  ],
);

/** Likes and comments per video and day, rolled up by the cron from their tables (ADR 0023). */
export const videoEngagementDaily = sqliteTable(
  "video_engagement_daily",
  {
    videoId: text("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    likes: integer("likes").notNull().default(0),
    comments: integer("comments").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.day] }), index("video_engagement_daily_day_idx").on(t.day)],
);

/** Subscribes (+1) and unsubscribes (−1) as they happen: the raw events of subscribers gained/lost. */
export const subscriptionEvents = sqliteTable(
  "subscription_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    channelId: text("channel_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    delta: integer("delta").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("subscription_events_at_idx").on(t.at, t.channelId)],
);

/** One row per channel and day: the cron's roll-up of its videos' rows and its subscription events. */
export const channelStatsDaily = sqliteTable(
  "channel_stats_daily",
  {
    channelId: text("channel_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    views: integer("views").notNull().default(0),
    watchSec: real("watch_sec").notNull().default(0),
    likes: integer("likes").notNull().default(0),
    comments: integer("comments").notNull().default(0),
    subsGained: integer("subs_gained").notNull().default(0),
    subsLost: integer("subs_lost").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.day] }), index("channel_stats_daily_day_idx").on(t.day)],
);

/** Sources and devices per channel and day (the cron's roll-up of `video_traffic_daily`). */
export const channelTrafficDaily = sqliteTable(
  "channel_traffic_daily",
  {
    channelId: text("channel_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    dim: text("dim", { enum: ["source", "device"] }).notNull(),
    key: text("key").notNull(),
    views: integer("views").notNull().default(0),
    watchSec: real("watch_sec").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.day, t.dim, t.key] }),
    index("channel_traffic_daily_day_idx").on(t.day),
  ],
);

/** How far the analytics roll-up has got: the next run recomputes from the day before. */
export const analyticsRollups = sqliteTable("analytics_rollups", {
  name: text("name").primaryKey(),
  throughDay: text("through_day").notNull(),
  at: integer("at").notNull(),
});

/**
 * Job messages the jobs queue gave up on (its DLQ consumer records each, ADR 0028): what the
 * admin fleet page lists under "dead jobs" and re-dispatches on "retry". `subject` is the
 * job's video, or a channel image's user. `retriedAt`/`retriedBy`: an admin sent it again.
 */
export const deadJobs = sqliteTable(
  "dead_jobs",
  {
    id: text("id").primaryKey(),
    queue: text("queue").notNull(),
    jobType: text("job_type").notNull(),
    jobId: text("job_id").notNull(),
    subject: text("subject").notNull(),
    attempt: integer("attempt").notNull(),
    attemptId: text("attempt_id").notNull(),
    requestId: text("request_id"),
    /** The message body as it was dead-lettered (a contracts Job). */
    jobJson: text("job_json").notNull(),
    /** The queue's delivery count when it died. */
    deliveries: integer("deliveries").notNull(),
    reason: text("reason").notNull(),
    deadAt: integer("dead_at").notNull(),
    retriedAt: integer("retried_at"),
    retriedBy: text("retried_by"),
  },
  (t) => [
    /** A redelivered DLQ message is recorded once. */
    uniqueIndex("dead_jobs_attempt_uq").on(t.attemptId, t.jobType),
    /** The page: the ones not retried yet, newest first. */
    index("dead_jobs_open_idx").on(t.retriedAt, t.deadAt),
  ],
);
