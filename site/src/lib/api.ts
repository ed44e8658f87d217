/**
 * The browser's client for the edge API (same origin, `/api/...`). Every call goes through
 * `request`, so auth (a Bearer header), error decoding and JSON handling live in one place.
 *
 * Types come from `@streamline/contracts` as type-only imports: the edge parses with those
 * zod schemas on its side, and keeping zod out of the browser keeps page scripts tiny.
 */
import type {
  CreateUploadBody,
  CreateUploadResponse,
  PartUrl,
  PartUrlsBody,
  RecordPartBody,
  UploadStateResponse,
  VideoDto,
} from "@streamline/contracts";
import type { z } from "zod";

export type PartUrlDto = z.infer<typeof PartUrl>;
export type PartUrlsRequest = z.input<typeof PartUrlsBody>;
export type RecordPartRequest = z.input<typeof RecordPartBody>;
/** `POST /api/uploads/:id/urls` response (no shared schema for it yet). */
export type PartUrlsResponse = { parts: PartUrlDto[]; expiresAt: string };
/** `GET /api/videos` response (no shared schema for it yet). */
export type VideoListResponse = { videos: VideoDto[] };
/** `POST /api/ws-ticket` response (no shared schema for it yet). */
export type WsTicketResponse = { ticket: string; expiresAt: string };
export type { CreateUploadBody, CreateUploadResponse, UploadStateResponse, VideoDto };

/** Code for answers that did not come from the API (no error body): a proxy, a missing route. */
const SERVICE_UNAVAILABLE = "service_unavailable";

/** An API failure with the edge's stable error code. `status` 0 means the request never got an answer. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: unknown[],
  ) {
    super(message);
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

/** Once auth lands, the session module registers where the current access token comes from. */
export function setAccessTokenProvider(provider: AccessTokenProvider): void {
  accessToken = provider;
}

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

interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal | undefined;
}

async function request<T>(method: string, path: string, { body, signal }: RequestOptions = {}): Promise<T> {
  const headers = new Headers({ accept: "application/json" });
  if (body !== undefined) headers.set("content-type", "application/json");
  const token = await accessToken();
  if (token) headers.set("authorization", `Bearer ${token}`);

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      credentials: "same-origin",
      signal: signal ?? null,
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

  listVideos: (limit = 24, signal?: AbortSignal) =>
    request<VideoListResponse>("GET", `/api/videos?limit=${limit}`, { signal }),

  /** A one-time, 60 s ticket for `GET /ws/videos/:id` (browsers can't send Authorization there). */
  wsTicket: (videoId: string, signal?: AbortSignal) =>
    request<WsTicketResponse>("POST", "/api/ws-ticket", { body: { videoId }, signal }),
};

export type ApiClient = typeof api;
