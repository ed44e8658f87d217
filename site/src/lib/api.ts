/**
 * The browser's client for the edge API (same origin, `/api/...`). Every call goes through
 * `request`, so auth (a Bearer header), error decoding and JSON handling live in one place.
 *
 * Every response type comes from `@streamline/contracts` (the zod schemas the edge answers
 * with), as type-only imports: no response shape is declared here, and zod stays out of the
 * browser, which keeps page scripts tiny. Request bodies are the schemas' inputs. Why this
 * and not hono's `hc<App>`: docs/adr/0008-site-api-client.md.
 */
import type {
  AdminReportsResponse,
  AuditResponse,
  AuthResponse,
  CaptionListResponse,
  CaptionTrackDto,
  Category,
  ChannelAnalytics,
  ChannelImageKind,
  ChannelResponse,
  ChannelVideoSort,
  CommentDto,
  CommentLikeResponse,
  CommentListResponse,
  CommentSort,
  CreateReportBody,
  CreateUploadBody,
  CreateUploadResponse,
  FeedResponse,
  FleetOverview,
  HistoryItem,
  HistoryResponse,
  IdentityListResponse,
  LoginBody,
  MailAccepted,
  MeResponse,
  ModerationAction,
  MyChannelResponse,
  NotificationDto,
  NotificationsResponse,
  NotificationWsMessage,
  OidcProviderId,
  OidcSignedIn,
  PartUrl,
  PartUrlsBody,
  PartUrlsResponse,
  PendingSignIn,
  PosterUploadResponse,
  PreferencesDto,
  ProvidersResponse,
  ReactionBody,
  ReactionResponse,
  RecordPartBody,
  ReportDto,
  ReportStatus,
  RetryDeadJobResponse,
  SearchResponse,
  SessionDto,
  SessionListResponse,
  SignupBody,
  SubscriptionState,
  SubscriptionsResponse,
  TrendingResponse,
  UpdateChannelBody,
  UpdatePreferencesBody,
  UpdateVideoBody,
  UploadStateResponse,
  UserDto,
  ValidationIssue,
  VideoAnalytics,
  VideoDto,
  VideoListResponse,
  ViewHeartbeatBody,
  ViewHeartbeatResponse,
  WsTicketResponse,
} from "@streamline/contracts";
import type { z } from "zod";

export type {
  FeedResponse,
  NotificationDto,
  NotificationsResponse,
  NotificationWsMessage,
  SubscriptionState,
  SubscriptionsResponse,
};

export type PartUrlDto = z.infer<typeof PartUrl>;
export type PartUrlsRequest = z.input<typeof PartUrlsBody>;
export type RecordPartRequest = z.input<typeof RecordPartBody>;
export type SignupRequest = z.input<typeof SignupBody>;
export type LoginRequest = z.input<typeof LoginBody>;
export type UpdateVideoRequest = z.input<typeof UpdateVideoBody>;
export type UpdatePreferencesRequest = z.input<typeof UpdatePreferencesBody>;
export type UpdateChannelRequest = z.input<typeof UpdateChannelBody>;
export type {
  AuthResponse,
  CaptionListResponse,
  CaptionTrackDto,
  Category,
  ChannelImageKind,
  ChannelResponse,
  ChannelVideoSort,
  CommentDto,
  CommentListResponse,
  CommentSort,
  CreateUploadBody,
  CreateUploadResponse,
  HistoryItem,
  HistoryResponse,
  IdentityListResponse,
  MailAccepted,
  MeResponse,
  MyChannelResponse,
  OidcProviderId,
  OidcSignedIn,
  PartUrlsResponse,
  PendingSignIn,
  PosterUploadResponse,
  PreferencesDto,
  ProvidersResponse,
  ReactionResponse,
  SessionDto,
  SessionListResponse,
  UploadStateResponse,
  UserDto,
  ValidationIssue,
  VideoDto,
  VideoListResponse,
  WsTicketResponse,
};

/** Code for answers that did not come from the API (no error body): a proxy, a missing route. */
const SERVICE_UNAVAILABLE = "service_unavailable";

/** An API failure with the edge's stable error code. `status` 0 means the request never got an answer. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  // Plain fields, not parameter properties: Node's type stripping runs this file (e2e, scripts).
  readonly status: number;
  readonly code: string;
  readonly issues: unknown[] | undefined;
  constructor(status: number, code: string, message: string, issues?: unknown[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
  }

  /** The API itself said the thing does not exist (not a proxy's or a missing route's 404). */
  get notFound(): boolean {
    return this.status === 404 && this.code !== SERVICE_UNAVAILABLE;
  }

  /** Worth trying again: no answer, timeout, rate limit or a server-side failure. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

type AccessTokenProvider = () => string | null | Promise<string | null>;
let accessToken: AccessTokenProvider = () => null;

/** The session module (auth-session.ts) registers where the current access token comes from. */
export function setAccessTokenProvider(provider: AccessTokenProvider): void {
  accessToken = provider;
}

/** The current access token, for the one upload that needs XHR's progress events (channel images). */
export async function currentAccessToken(): Promise<string | null> {
  return accessToken();
}

/** Gets a fresh access token after a 401 (true = try the request again). Registered by auth-session.ts. */
type AccessTokenRefresher = () => Promise<boolean>;
let refreshAccessToken: AccessTokenRefresher | null = null;

export function setAccessTokenRefresher(refresher: AccessTokenRefresher): void {
  refreshAccessToken = refresher;
}

/**
 * The embed page's stored viewer id (ADR 0029): inside another site's iframe the `sl_viewer`
 * cookie never arrives, so every call names the viewer with this header instead (contracts'
 * `VIEWER_HEADER`; spelled out here so the client does not pull in the schemas).
 */
let viewerId: string | null = null;

export function setViewerId(id: string | null): void {
  viewerId = id;
}

/** 401 codes a refreshed access token can fix (the API's auth middleware). */
const RETRYABLE_AUTH_CODES = new Set(["token_expired", "invalid_token"]);

const FALLBACK_MESSAGES: Record<number, string> = {
  400: "The request was not valid.",
  401: "Please sign in to continue.",
  403: "You are not allowed to do that.",
  409: "That conflicts with the current state. Reload and try again.",
  413: "That file is too large.",
  415: "That file type is not supported.",
  429: "Too many requests. Please wait a moment and try again.",
};

async function errorFrom(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy page, an HTML 404): fall back to a message for the status.
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; issues?: unknown } } | null)?.error;
  if (error && typeof error.code === "string" && typeof error.message === "string") {
    return new ApiError(
      response.status,
      error.code,
      error.message,
      Array.isArray(error.issues) ? error.issues : undefined,
    );
  }
  // No error body means the answer did not come from the API itself (a proxy, or the API
  // route is missing): say the service is unavailable rather than "not found".
  if (response.status === 404 || response.status >= 500) {
    return new ApiError(
      response.status,
      SERVICE_UNAVAILABLE,
      `The video service isn't available right now (HTTP ${response.status}). Please try again shortly.`,
    );
  }
  const message =
    FALLBACK_MESSAGES[response.status] ?? `Unexpected response from the server (HTTP ${response.status}).`;
  return new ApiError(response.status, `http_${response.status}`, message);
}

export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (a file), with its own content type; wins over `body`. */
  raw?: { data: Blob | ArrayBuffer | string; contentType: string };
  signal?: AbortSignal | undefined;
  /** Send the Bearer token (default). Auth endpoints that run on the cookie or a password say false. */
  auth?: boolean;
  /** Let the request finish even if the page navigates away (refresh: its Set-Cookie must land). */
  keepalive?: boolean;
}

/** One API call: Bearer token, one retry after a refresh on 401, the error body decoded into ApiError. */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  try {
    return await send<T>(method, path, options);
  } catch (err) {
    // An expired (or revoked) access token: get a fresh one once, then try again.
    const canRetry = options.auth !== false && refreshAccessToken && !options.signal?.aborted;
    if (canRetry && err instanceof ApiError && err.status === 401 && RETRYABLE_AUTH_CODES.has(err.code)) {
      if (await refreshAccessToken!()) return send<T>(method, path, options);
    }
    throw err;
  }
}

async function send<T>(
  method: string,
  path: string,
  { body, raw, signal, auth = true, keepalive }: RequestOptions,
): Promise<T> {
  const headers = new Headers({ accept: "application/json" });
  if (raw) headers.set("content-type", raw.contentType);
  else if (body !== undefined) headers.set("content-type", "application/json");
  const token = auth ? await accessToken() : null;
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (viewerId) headers.set("x-streamline-viewer", viewerId);

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: raw ? raw.data : body === undefined ? null : JSON.stringify(body),
      credentials: "same-origin",
      signal: signal ?? null,
      ...(keepalive ? { keepalive } : {}),
    });
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    throw new ApiError(0, "network_error", "Can't reach Streamline. Check your connection and try again.");
  }

  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(response.status, "bad_response", "The server sent a response we could not read.");
  }
}

const id = (value: string) => encodeURIComponent(value);

export const api = {
  createUpload: (body: CreateUploadBody, signal?: AbortSignal) =>
    request<CreateUploadResponse>("POST", "/api/uploads", { body, signal }),

  partUrls: (videoId: string, partNumbers: number[], signal?: AbortSignal) =>
    request<PartUrlsResponse>("POST", `/api/uploads/${id(videoId)}/urls`, {
      body: { partNumbers } satisfies PartUrlsRequest,
      signal,
    }),

  recordPart: (videoId: string, partNumber: number, part: RecordPartRequest, signal?: AbortSignal) =>
    request<void>("PUT", `/api/uploads/${id(videoId)}/parts/${partNumber}`, { body: part, signal }),

  getUpload: (videoId: string, signal?: AbortSignal) =>
    request<UploadStateResponse>("GET", `/api/uploads/${id(videoId)}`, { signal }),

  completeUpload: (videoId: string, signal?: AbortSignal) =>
    request<VideoDto>("POST", `/api/uploads/${id(videoId)}/complete`, { signal }),

  abortUpload: (videoId: string) => request<void>("DELETE", `/api/uploads/${id(videoId)}`),

  getVideo: (videoId: string, signal?: AbortSignal) =>
    request<VideoDto>("GET", `/api/videos/${id(videoId)}`, { signal }),

  /** Public videos, newest first; `cursor` = the previous page's `nextCursor`. */
  listVideos: (limit = 24, signal?: AbortSignal, cursor?: string | null) =>
    request<VideoListResponse>(
      "GET",
      `/api/videos?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      { signal },
    ),

  // Accounts. The refresh token never passes through here: it is an HttpOnly cookie the
  // browser sends to /api/auth/* by itself.
  signup: (body: SignupRequest) => request<AuthResponse>("POST", "/api/auth/signup", { body, auth: false }),

  login: (body: LoginRequest) => request<AuthResponse>("POST", "/api/auth/login", { body, auth: false }),

  /** Rotates the refresh cookie and returns a new access token (401 once signed out). */
  refresh: () => request<AuthResponse>("POST", "/api/auth/refresh", { auth: false, keepalive: true }),

  /** Ends the session named by the refresh cookie (204 even if it was already over). */
  logout: () => request<void>("POST", "/api/auth/logout", { auth: false }),

  me: (signal?: AbortSignal) => request<MeResponse>("GET", "/api/me", { signal }),

  // Mailed links (ADR 0014): the token comes from the link, never from storage.
  verifyEmail: (token: string) =>
    request<{ emailVerified: true }>("POST", "/api/auth/email/verify", { body: { token }, auth: false }),

  /** Mails the signed-in caller a new verification link (202 whatever happens next). */
  resendVerification: () => request<MailAccepted>("POST", "/api/auth/email/resend"),

  /** 202 with the same body whether or not the address has an account. */
  forgotPassword: (email: string) =>
    request<MailAccepted>("POST", "/api/auth/password/forgot", { body: { email }, auth: false }),

  /** 204; every session of the account is signed out. */
  resetPassword: (token: string, password: string) =>
    request<void>("POST", "/api/auth/password/reset", { body: { token, password }, auth: false }),

  /** The caller's own videos in every status and visibility, newest first; `cursor` = a page's `nextCursor`. */
  myVideos: (page: { limit?: number; cursor?: string } = {}, signal?: AbortSignal) => {
    const query = new URLSearchParams({ limit: String(page.limit ?? 24) });
    if (page.cursor !== undefined) query.set("cursor", page.cursor);
    return request<VideoListResponse>("GET", `/api/me/videos?${query}`, { signal });
  },

  updateVideo: (videoId: string, patch: UpdateVideoRequest) =>
    request<VideoDto>("PATCH", `/api/videos/${id(videoId)}`, { body: patch }),

  deleteVideo: (videoId: string) => request<void>("DELETE", `/api/videos/${id(videoId)}`),

  listCaptions: (videoId: string, signal?: AbortSignal) =>
    request<CaptionListResponse>("GET", `/api/videos/${id(videoId)}/captions`, { signal }),

  /** Adds or replaces the track for `lang` (WebVTT or SubRip, converted and validated by the edge). */
  putCaptions: (
    videoId: string,
    track: { lang: string; label: string; isDefault: boolean },
    file: Blob | string,
    contentType: string,
  ) => {
    const query = new URLSearchParams({ label: track.label, default: String(track.isDefault) });
    return request<CaptionTrackDto>("PUT", `/api/videos/${id(videoId)}/captions/${id(track.lang)}?${query}`, {
      raw: { data: file, contentType },
    });
  },

  deleteCaptions: (videoId: string, lang: string) =>
    request<void>("DELETE", `/api/videos/${id(videoId)}/captions/${id(lang)}`),

  putPoster: (videoId: string, image: Blob, contentType: string) =>
    request<PosterUploadResponse>("PUT", `/api/videos/${id(videoId)}/poster`, {
      raw: { data: image, contentType },
    }),

  // Channels (ADR 0011).
  channel: (handle: string, signal?: AbortSignal) =>
    request<ChannelResponse>("GET", `/api/channels/${id(handle)}`, { signal }),

  /** A page of the channel's public videos; `cursor` = the previous page's `nextCursor` for the same sort. */
  channelVideos: (
    handle: string,
    page: { sort: ChannelVideoSort; cursor?: string | null; limit?: number },
    signal?: AbortSignal,
  ) => {
    const query = new URLSearchParams({ sort: page.sort, limit: String(page.limit ?? 24) });
    if (page.cursor) query.set("cursor", page.cursor);
    return request<VideoListResponse>("GET", `/api/channels/${id(handle)}/videos?${query}`, { signal });
  },

  myChannel: (signal?: AbortSignal) => request<MyChannelResponse>("GET", "/api/me/channel", { signal }),

  updateChannel: (patch: UpdateChannelRequest) =>
    request<MyChannelResponse>("PATCH", "/api/me/channel", { body: patch }),

  /** Upload path of a channel image (the editor sends it with XHR, for progress). */
  channelImagePath: (kind: ChannelImageKind) => `/api/me/channel/${kind}`,

  getPreferences: (signal?: AbortSignal) => request<PreferencesDto>("GET", "/api/me/preferences", { signal }),

  updatePreferences: (patch: UpdatePreferencesRequest) =>
    request<PreferencesDto>("PATCH", "/api/me/preferences", { body: patch }),

  listSessions: (signal?: AbortSignal) => request<SessionListResponse>("GET", "/api/sessions", { signal }),

  revokeSession: (sessionId: string) => request<void>("DELETE", `/api/sessions/${id(sessionId)}`),

  /** A one-time, 60 s ticket for `GET /ws/videos/:id` (browsers can't send Authorization there). */
  wsTicket: (videoId: string, signal?: AbortSignal) =>
    request<WsTicketResponse>("POST", "/api/ws-ticket", { body: { videoId }, signal }),

  // Sign in with an OpenID provider (ADR 0012). Start and callback are navigations, not calls.
  /** The providers this deployment offers ("Sign in with Google" shows only when listed). */
  authProviders: (signal?: AbortSignal) =>
    request<ProvidersResponse>("GET", "/api/auth/providers", { signal, auth: false }),

  /** The sign-in waiting in this browser's pending cookie (404 `no_pending_sign_in` when none). */
  oidcPending: (signal?: AbortSignal) =>
    request<PendingSignIn>("GET", "/api/auth/oidc/pending", { signal, auth: false }),

  /** First sign-in: create the account with this handle; signed in (refresh cookie set). */
  oidcComplete: (handle: string) =>
    request<OidcSignedIn>("POST", "/api/auth/oidc/complete", { body: { handle }, auth: false }),

  /** Link the pending identity to the account with its address, proving that account's password. */
  oidcLink: (password: string) =>
    request<OidcSignedIn>("POST", "/api/auth/oidc/link", { body: { password }, auth: false }),

  oidcCancel: () => request<void>("DELETE", "/api/auth/oidc/pending", { auth: false }),

  identities: (signal?: AbortSignal) =>
    request<IdentityListResponse>("GET", "/api/me/identities", { signal }),

  unlinkIdentity: (provider: OidcProviderId) => request<void>("DELETE", `/api/me/identities/${id(provider)}`),

  // Comments and reactions (ADR 0015).
  listComments: (videoId: string, sort: CommentSort, cursor?: string | null, signal?: AbortSignal) => {
    const query = new URLSearchParams({ sort });
    if (cursor) query.set("cursor", cursor);
    return request<CommentListResponse>("GET", `/api/videos/${id(videoId)}/comments?${query}`, { signal });
  },

  listReplies: (commentId: string, cursor?: string | null) =>
    request<CommentListResponse>(
      "GET",
      `/api/comments/${id(commentId)}/replies${cursor ? `?cursor=${id(cursor)}` : ""}`,
    ),

  heldComments: (videoId: string, signal?: AbortSignal) =>
    request<CommentListResponse>("GET", `/api/videos/${id(videoId)}/comments/held`, { signal }),

  postComment: (videoId: string, text: string, parentId?: string) =>
    request<CommentDto>("POST", `/api/videos/${id(videoId)}/comments`, {
      body: parentId ? { text, parentId } : { text },
    }),

  editComment: (commentId: string, text: string) =>
    request<CommentDto>("PATCH", `/api/comments/${id(commentId)}`, { body: { text } }),

  deleteComment: (commentId: string) => request<void>("DELETE", `/api/comments/${id(commentId)}`),

  pinComment: (commentId: string, pinned: boolean) =>
    request<CommentDto>(pinned ? "POST" : "DELETE", `/api/comments/${id(commentId)}/pin`),

  approveComment: (commentId: string) =>
    request<CommentDto>("POST", `/api/comments/${id(commentId)}/approve`),

  likeComment: (commentId: string, liked: boolean) =>
    request<CommentLikeResponse>("PUT", `/api/comments/${id(commentId)}/like`, { body: { liked } }),

  react: (videoId: string, value: ReactionBody["value"]) =>
    request<ReactionResponse>("PUT", `/api/videos/${id(videoId)}/reaction`, { body: { value } }),

  blockedWords: (signal?: AbortSignal) =>
    request<{ words: string[] }>("GET", "/api/me/channel/blocked-words", { signal }),

  setBlockedWords: (words: string[]) =>
    request<{ words: string[] }>("PUT", "/api/me/channel/blocked-words", { body: { words } }),

  // Creator analytics (ADR 0023): the caller's channel, or one of their videos (404 otherwise).
  channelAnalytics: (range: { from: string; to: string }, signal?: AbortSignal) =>
    request<ChannelAnalytics>("GET", `/api/me/analytics?from=${id(range.from)}&to=${id(range.to)}`, {
      signal,
    }),

  videoAnalytics: (videoId: string, range: { from: string; to: string }, signal?: AbortSignal) =>
    request<VideoAnalytics>(
      "GET",
      `/api/videos/${id(videoId)}/analytics?from=${id(range.from)}&to=${id(range.to)}`,
      { signal },
    ),

  // Views, history and resume (ADR 0016). Heartbeats carry no Bearer: the view token names the viewer.
  viewHeartbeat: (body: ViewHeartbeatBody) =>
    request<ViewHeartbeatResponse>("POST", "/api/views", { body, auth: false, keepalive: true }),

  history: (cursor?: string | null, signal?: AbortSignal) =>
    request<HistoryResponse>("GET", `/api/me/history${cursor ? `?cursor=${id(cursor)}` : ""}`, { signal }),

  removeFromHistory: (videoId: string) => request<void>("DELETE", `/api/me/history/${id(videoId)}`),

  clearHistory: () => request<void>("DELETE", "/api/me/history"),

  // Subscriptions, the feed and notifications (ADR 0017).
  subscribe: (handle: string, subscribed: boolean) =>
    request<SubscriptionState>(subscribed ? "PUT" : "DELETE", `/api/channels/${id(handle)}/subscription`),

  mySubscriptions: (cursor?: string | null, signal?: AbortSignal) =>
    request<SubscriptionsResponse>("GET", `/api/me/subscriptions${cursor ? `?cursor=${id(cursor)}` : ""}`, {
      signal,
    }),

  feed: (cursor?: string | null, signal?: AbortSignal) =>
    request<FeedResponse>("GET", `/api/feed${cursor ? `?cursor=${id(cursor)}` : ""}`, { signal }),

  // Trending (ADR 0022): the cron's ranking, public.
  trending: (cursor?: string | null, signal?: AbortSignal) =>
    request<TrendingResponse>("GET", `/api/trending${cursor ? `?cursor=${id(cursor)}` : ""}`, { signal }),

  // Search (ADR 0021): public. `params`: the page's q, type, duration, uploaded, sort.
  search: (params: URLSearchParams, cursor?: string | null, signal?: AbortSignal) => {
    const query = new URLSearchParams(params);
    if (cursor) query.set("cursor", cursor);
    return request<SearchResponse>("GET", `/api/search?${query}`, { signal });
  },

  notifications: (opts: { unread?: boolean; cursor?: string | null } = {}, signal?: AbortSignal) => {
    const query = new URLSearchParams({ limit: "10" });
    if (opts.unread) query.set("unread", "true");
    if (opts.cursor) query.set("cursor", opts.cursor);
    return request<NotificationsResponse>("GET", `/api/notifications?${query}`, { signal });
  },

  markNotificationsRead: (target: { ids: string[] } | { all: true }) =>
    request<{ unreadCount: number }>("POST", "/api/notifications/read", { body: target }),

  // Moderation (ADR 0024): reports from anyone signed in; the rest answers 404 to non-moderators.
  report: (body: CreateReportBody) => request<{ report: ReportDto }>("POST", "/api/reports", { body }),

  adminReports: (status: ReportStatus, cursor?: string | null, signal?: AbortSignal) => {
    const query = new URLSearchParams({ status });
    if (cursor) query.set("cursor", cursor);
    return request<AdminReportsResponse>("GET", `/api/admin/reports?${query}`, { signal });
  },

  resolveReport: (reportId: string, action: ModerationAction, note: string) =>
    request<{ resolved: number; action: ModerationAction }>(
      "POST",
      `/api/admin/reports/${id(reportId)}/resolve`,
      { body: { action, note } },
    ),

  restoreVideo: (videoId: string, note: string) =>
    request<{ restored: boolean }>("POST", `/api/admin/videos/${id(videoId)}/restore`, { body: { note } }),

  restoreUser: (handle: string, note: string) =>
    request<{ restored: boolean }>("POST", `/api/admin/users/${id(handle)}/restore`, { body: { note } }),

  audit: (cursor?: string | null, signal?: AbortSignal) =>
    request<AuditResponse>("GET", `/api/admin/audit${cursor ? `?cursor=${id(cursor)}` : ""}`, { signal }),

  /** The admin fleet page (ADR 0028): nodes, capacity, queue, jobs in flight, failures, dead jobs. */
  fleetOverview: (signal?: AbortSignal) =>
    request<FleetOverview>("GET", "/api/admin/fleet/overview", { signal }),

  retryDeadJob: (deadJobId: string) =>
    request<RetryDeadJobResponse>("POST", `/api/admin/fleet/dead-jobs/${id(deadJobId)}/retry`),

  /** A one-time, 60 s ticket for `GET /ws/notifications`. */
  notificationsTicket: (signal?: AbortSignal) =>
    request<WsTicketResponse>("POST", "/api/ws-ticket", { body: { scope: "notifications" }, signal }),
};

export type ApiClient = typeof api;
