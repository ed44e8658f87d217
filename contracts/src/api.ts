/** Public HTTP API bodies and responses (edge ↔ browser/site). */
import { z } from "zod";
import { ChannelRef } from "./channel-ref.ts";
import { ClipOf } from "./clips.ts";
import { CommentsMode, ReactionValue } from "./community.ts";
import { DownloadSettings } from "./downloads.ts";
import { EmbedSettings } from "./embeds.ts";
import { VideoFailure } from "./failures.ts";
import { Rendition } from "./media.ts";
import { Role, Takedown } from "./moderation.ts";
import {
  Category,
  Chapters,
  PublishAt,
  SCHEDULE_NEEDS_PRIVATE,
  scheduleIssue,
  Tags,
  Visibility,
} from "./video-metadata-schemas.ts";

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const VideoStatus = z.enum(["uploading", "queued", "processing", "ready", "failed"]);
export type VideoStatus = z.infer<typeof VideoStatus>;

/**
 * No C0 control characters (U+0000–U+001F) or DEL (U+007F): for every string that reaches
 * a header, a storage key or a playlist line, where a CR/LF would make the edge throw (a
 * 500) or inject. Checked after `trim()`, so only interior ones are refused.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const NO_CONTROL_CHARS = /^[^\u0000-\u001F\u007F]*$/;
const CONTROL_CHARS_MESSAGE = "must not contain control characters (U+0000–U+001F, U+007F)";
/** A string with no control characters (see `NO_CONTROL_CHARS`). */
const plainString = () => z.string().trim().regex(NO_CONTROL_CHARS, CONTROL_CHARS_MESSAGE);

/** Video metadata a client may set at upload time and edit later (ADR 0013). */
const MetadataFields = {
  description: z.string().max(5000),
  tags: Tags,
  category: Category.nullable(),
  visibility: Visibility,
};

/** `publishAt` with a visibility other than private in the same body is refused. */
const scheduleNeedsPrivate = (v: { visibility?: Visibility; publishAt?: string | null }) =>
  !scheduleIssue(v.visibility, v.publishAt);
const SCHEDULE_REFINE = { message: SCHEDULE_NEEDS_PRIVATE, path: ["publishAt"] };

/**
 * Metadata is optional: without `visibility` the uploader's `defaultVisibility` preference
 * applies, except that a `publishAt` makes the video private until then.
 */
export const CreateUploadBody = z
  .object({
    filename: plainString().min(1).max(255),
    size: z.number().int().positive(),
    contentType: plainString().min(1).max(127),
    title: z.string().trim().min(1).max(200).optional(),
    ...MetadataFields,
    publishAt: PublishAt,
  })
  .partial({ description: true, tags: true, category: true, visibility: true, publishAt: true })
  .refine(scheduleNeedsPrivate, SCHEDULE_REFINE);
export type CreateUploadBody = z.infer<typeof CreateUploadBody>;

export const PartUrl = z.object({ partNumber: z.number().int().min(1).max(10_000), url: z.string().url() });

export const CreateUploadResponse = z.object({
  videoId: z.string(),
  partSize: z.number().int().positive(),
  partCount: z.number().int().positive(),
  parts: z.array(PartUrl),
  expiresAt: z.string(),
});
export type CreateUploadResponse = z.infer<typeof CreateUploadResponse>;

export const PartUrlsBody = z.object({
  partNumbers: z.array(z.number().int().min(1).max(10_000)).min(1).max(1000),
});

export const RecordPartBody = z.object({
  etag: plainString().min(1).max(200),
  size: z.number().int().positive(),
});

export const UploadStateResponse = z.object({
  videoId: z.string(),
  status: VideoStatus,
  size: z.number().int(),
  partSize: z.number().int(),
  partCount: z.number().int(),
  parts: z.array(z.object({ partNumber: z.number().int(), etag: z.string(), size: z.number().int() })),
  uploadedBytes: z.number().int(),
  expiresAt: z.string(),
});
export type UploadStateResponse = z.infer<typeof UploadStateResponse>;

/** Live transcode progress: the same fields in video metadata and on the WebSocket. */
export const ProgressFields = z.object({
  stage: z.string(),
  percent: z.number(),
  fps: z.number().optional(),
  speed: z.number().optional(),
  etaSec: z.number().optional(),
  rendition: z.string().optional(),
});

export const VideoProgress = ProgressFields.extend({ updatedAt: z.string() });

export const VideoDto = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  visibility: z.enum(["public", "unlisted", "private"]),
  status: VideoStatus,
  playable: z.boolean(),
  /** Failed videos: the vocabulary sentence of `failure.code` (the same for everyone). */
  failureReason: z.string().optional().meta({
    description: "Failed videos only: the fixed sentence for `failure.code` (never tool output)",
  }),
  /** Failed videos: code + sentence for everyone, plus a sanitized `detail` for the owner. */
  failure: VideoFailure.optional().meta({
    description:
      "Failed videos only: `code` (fixed vocabulary) and its `message` for everyone; `detail` (sanitized: no URLs, hosts or paths) only for the owner",
  }),
  durationSec: z.number().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  renditions: z.array(Rendition),
  thumbnailUrl: z.string().nullable(),
  /**
   * The poster at several widths for `srcset` (ADR 0033): signed WebP URLs, narrowest first,
   * never wider than the source (320, 640, 1280 px, or fewer). Empty for videos (and custom
   * posters) made before sizes existed — `thumbnailUrl` (JPEG, ≤ 1280 px) is always the fallback.
   */
  posterSizes: z
    .array(
      z.object({ url: z.string(), width: z.number().int().positive(), height: z.number().int().positive() }),
    )
    .optional()
    .meta({
      description:
        "The poster as WebP at several widths (narrowest first, never upscaled) for `srcset`; empty or absent for older videos — use `thumbnailUrl` then",
    }),
  /** Signed WebVTT of trick-play thumbnails (`sprite-N.jpg#xywh=…` cues), once generated. */
  trickplayUrl: z.string().nullable(),
  playback: z
    .object({
      hls: z.string(),
      /** MPEG-DASH manifest over the same fMP4 files (`…/manifest.mpd`), once the video is `ready`. */
      dash: z.string().optional(),
      expiresAt: z.string(),
      /** `GET /api/videos/:id` only: signs this viewer's heartbeats (`POST /api/views`, ADR 0016). */
      viewToken: z.string().optional(),
    })
    .optional(),
  progress: VideoProgress.optional(),
  createdAt: z.string(),
  /** True when the signed-in caller owns the video (the studio offers editing only then). */
  owned: z.boolean(),
  /** The owner's channel (name, handle, avatar) — null only for videos from before accounts. */
  channel: ChannelRef.nullable(),
  /** Counted views (0 until the community issue counts them); a channel's "popular" order. */
  viewCount: z.number().int().nonnegative(),
  /** Normalized tags, in the owner's order. */
  tags: z.array(z.string()),
  category: Category.nullable(),
  /** When the video first became public and ready (null: never yet). */
  publishedAt: z.string().nullable(),
  /** Parsed from `0:00 Intro` lines of the description (absent when it has none). */
  chapters: Chapters.optional(),
  /** Owner only: when this private video turns public (null: not scheduled). */
  publishAt: z.string().nullable().optional(),
  likeCount: z.number().int(),
  /** The owner only: viewers see likes, not dislikes (ADR 0015). */
  dislikeCount: z.number().int().optional(),
  /** Visible comments and replies. */
  commentCount: z.number().int(),
  commentsMode: CommentsMode,
  /** The signed-in caller's reaction (`GET /api/videos/:id` only; null: none). */
  myReaction: ReactionValue.nullable().optional(),
  /** `GET /api/videos/:id`, signed in: the caller's saved position (absent: start from 0). */
  resumeAtSec: z.number().nonnegative().optional(),
  /** Owner only: a moderator took the video down (hidden from everyone else) and why (ADR 0024). */
  takenDown: Takedown.optional(),
  /** Whether `/embed/:id` plays this video inside other sites (ADR 0019). */
  embeddable: z.boolean().optional(),
  /** Owner only: embedding on/off and the origins that may frame it (null: any). */
  embed: EmbedSettings.optional(),
  /** Owner only: whether viewers may download the MP4 (`GET /api/videos/:id/download`, ADR 0027). */
  download: DownloadSettings.optional(),
  /** A clip: the source video and the range it plays, snapped to segment boundaries (ADR 0027). */
  clipOf: ClipOf.optional(),
});
export type VideoDto = z.infer<typeof VideoDto>;

/**
 * An owner's edit: only what is sent changes. `category: null` and `publishAt: null` clear
 * them; making a video public or unlisted drops its schedule (ADR 0013).
 */
export const UpdateVideoBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    ...MetadataFields,
    publishAt: PublishAt.nullable(),
    /** Comments on, off, or held for approval (ADR 0015). */
    commentsMode: CommentsMode,
    /** Embedding on/off and an optional allow-list of framing origins (ADR 0019). */
    embed: EmbedSettings,
    /** Static MP4 downloads on/off for viewers (ADR 0027). */
    download: DownloadSettings,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to update")
  .refine(scheduleNeedsPrivate, SCHEDULE_REFINE);
export type UpdateVideoBody = z.infer<typeof UpdateVideoBody>;

/** `?limit=&cursor=` of every video listing; `before` (a createdAt in ms) is the older form. */
export const VideoListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(24),
  /** The previous page's `nextCursor`. */
  cursor: z
    .string()
    .regex(/^(\d{1,15})\.(v_[A-Za-z0-9]{16})$/, "not a cursor from nextCursor")
    .optional(),
  before: z.coerce.number().int().positive().optional(),
});
export type VideoListQuery = z.infer<typeof VideoListQuery>;

export const HealthResponse = z.object({
  ok: z.boolean(),
  components: z.object({
    d1: z.object({ ok: z.boolean(), detail: z.string().optional() }),
    storage: z.object({ ok: z.boolean(), detail: z.string().optional() }),
    queue: z.object({ ok: z.boolean(), detail: z.string().optional() }),
    transcoder: z.object({ ok: z.boolean(), detail: z.string().optional() }),
  }),
});

// ── Accounts and sessions ────────────────────────────────────────────────────────────
// Unknown body fields are ignored everywhere (zod's default `strip`): clients may send
// more than we read, and nothing they add can reach the database.

/** Lower-cased and trimmed, so `Ana@Example.com ` and `ana@example.com` are one account. */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "email is too long")
  .pipe(z.email({ message: "not a valid email address" }));

export const HANDLE_PATTERN = /^[a-z0-9](?:[a-z0-9_-]{1,28})[a-z0-9]$/;
/** Names that would collide with pages or look official. */
export const RESERVED_HANDLES: ReadonlySet<string> = new Set([
  "admin",
  "administrator",
  "api",
  "account",
  "login",
  "logout",
  "signup",
  "settings",
  "upload",
  "watch",
  "studio",
  "support",
  "help",
  "root",
  "system",
  "streamline",
  "me",
]);

/** 3–30 characters of a–z, 0–9, `_` and `-`, starting and ending with a letter or digit (URL-safe). */
export const Handle = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    HANDLE_PATTERN,
    "handle must be 3–30 characters: a–z, 0–9, _ or -, starting and ending with a letter or digit",
  )
  .refine((h) => !RESERVED_HANDLES.has(h), "that handle is reserved");

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;
export const Password = z
  .string()
  .min(PASSWORD_MIN, `password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `password must be at most ${PASSWORD_MAX} characters`);

export const SignupBody = z.object({ email: Email, password: Password, handle: Handle });
export type SignupBody = z.infer<typeof SignupBody>;

/** Login checks only shape: rules that changed since signup must not lock anyone out. */
export const LoginBody = z.object({
  email: Email,
  password: z.string().min(1, "password is required").max(PASSWORD_MAX, "password is too long"),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const UserId = z.string().regex(/^u_[A-Za-z0-9]{16}$/, "not a user id");
export const SessionId = z.string().regex(/^s_[A-Za-z0-9]{20}$/, "not a session id");

export const UserDto = z.object({
  id: z.string(),
  email: z.string(),
  handle: z.string(),
  createdAt: z.string(),
  /** The address was confirmed through a mailed link (ADR 0014). */
  emailVerified: z.boolean(),
});
export type UserDto = z.infer<typeof UserDto>;

/** `POST /api/auth/signup` (201), `POST /api/auth/login` and `POST /api/auth/refresh` (200). */
export const AuthResponse = z.object({
  user: UserDto,
  accessToken: z.string(),
  /** When the access token stops working (ISO); refresh a little before. */
  expiresAt: z.string(),
});
export type AuthResponse = z.infer<typeof AuthResponse>;

/** `GET /api/me`. */
export const MeResponse = z.object({
  user: UserDto.extend({
    /** `admin` / `moderator` (granted only by `npm run admin -- grant`): the site shows "Admin" for them. */
    roles: z.array(Role),
  }),
  sessionId: z.string(),
});
export type MeResponse = z.infer<typeof MeResponse>;

export const SessionDto = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  expiresAt: z.string(),
  userAgent: z.string(),
  ip: z.string(),
  /** The session the request was made with. */
  current: z.boolean(),
});
export type SessionDto = z.infer<typeof SessionDto>;

/** `GET /api/sessions`: the caller's active sessions, most recently used first. */
export const SessionListResponse = z.object({ sessions: z.array(SessionDto) });
export type SessionListResponse = z.infer<typeof SessionListResponse>;

/** `GET /api/videos`, `GET /api/me/videos`. */
export const VideoListResponse = z.object({
  videos: z.array(VideoDto),
  /** Opaque: pass as `?cursor=` for the next page; null when this page was the last. */
  nextCursor: z.string().nullable(),
});
export type VideoListResponse = z.infer<typeof VideoListResponse>;

// ── Responses the site reads that had no shared schema yet ──────────────────────────

/** One field-level problem in a `validation_failed` error's `issues` (path joined with "."). */
export const ValidationIssue = z.object({
  path: z.string().optional(),
  message: z.string().optional(),
  code: z.string().optional(),
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;

/** `POST /api/uploads/:videoId/urls`: fresh presigned part URLs (resume, expiry). */
export const PartUrlsResponse = z.object({ parts: z.array(PartUrl), expiresAt: z.string() });
export type PartUrlsResponse = z.infer<typeof PartUrlsResponse>;

/** `POST /api/ws-ticket` (201): a one-time, 60 s ticket for `GET /ws/videos/:id`. */
export const WsTicketResponse = z.object({ ticket: z.string(), expiresAt: z.string() });
export type WsTicketResponse = z.infer<typeof WsTicketResponse>;

/** One caption track: `PUT /api/videos/:id/captions/:lang` (201) and each item of the list. */
export const CaptionTrackDto = z.object({
  lang: z.string(),
  label: z.string(),
  default: z.boolean(),
  cues: z.number().int(),
});
export type CaptionTrackDto = z.infer<typeof CaptionTrackDto>;

/** `GET /api/videos/:id/captions`. */
export const CaptionListResponse = z.object({ captions: z.array(CaptionTrackDto) });
export type CaptionListResponse = z.infer<typeof CaptionListResponse>;

/** `PUT /api/videos/:id/poster` (202): the fleet resizes it, then the video's `thumbnailUrl` changes. */
export const PosterUploadResponse = z.object({ status: z.literal("processing") });
export type PosterUploadResponse = z.infer<typeof PosterUploadResponse>;

// ── Further request/response shapes the edge declares in its OpenAPI document ───────

/** `PUT /api/uploads/:videoId/parts/:n`: which part (1–10000). */
export const PartNumber = z.coerce.number().int().min(1).max(10_000);

/** BCP 47-ish caption language: "en", "pt-BR", "zh-Hant". */
export const CaptionLang = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/, "language must look like en, pt-BR, zh-Hant");

/** `PUT /api/videos/:id/captions/:lang?label=&default=`. */
export const PutCaptionQuery = z.object({
  label: plainString().min(1).max(60).optional(),
  default: z.enum(["true", "false"]).optional(),
});

/** `POST /api/ws-ticket`: `{ videoId }` (a video's progress) or `{ scope: "notifications" }` (the caller's, ADR 0017). */
export const WsTicketBody = z.union([
  z.object({ videoId: z.string().regex(/^v_[A-Za-z0-9]{16}$/, "not a video id") }),
  z.object({ scope: z.literal("notifications") }),
]);

/** `POST /internal/transcoder/events`: what the event did. */
export const EventOutcome = z.enum(["applied", "duplicate", "stale_attempt", "video_gone"]);
export const EventOutcomeResponse = z.object({ outcome: EventOutcome });

/** `GET /api/admin/fleet`: the fleet's node registry as the transcoder reports it. */
export const FleetStatus = z.looseObject({
  nodes: z.array(
    z.looseObject({
      nodeId: z.string(),
      capacity: z.number().int().nonnegative(),
      running: z.array(z.unknown()),
    }),
  ),
});
export type FleetStatus = z.infer<typeof FleetStatus>;
export const FleetResponse = z.object({ fleet: FleetStatus });
