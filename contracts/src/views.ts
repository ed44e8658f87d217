/**
 * View heartbeats, watch history and resume (ADR 0016). The player sends
 * `POST /api/views` every ~10 s while playing, on pause/end, and as a `sendBeacon`
 * (text/plain JSON) when the page is hidden.
 */
import { z } from "zod";
import { TrafficSource } from "./analytics.ts";
import { VideoDto } from "./api.ts";

/** Seconds of a heartbeat: finite, non-negative, at most a day. */
const Seconds = z.number().finite().nonnegative().max(86_400);

/**
 * A browser's viewer id: what the `sl_viewer` cookie holds, or — inside another site's iframe,
 * where that cookie is never sent — the id the embed page keeps in its own (partitioned)
 * storage and sends instead (`x-streamline-viewer` on `GET /api/videos/:id`, `viewerId` in a
 * heartbeat's body, which a beacon cannot give headers). The cookie wins when both come.
 */
export const ViewerId = z.string().regex(/^[A-Za-z0-9]{24}$/);
export const VIEWER_HEADER = "x-streamline-viewer";

export const ViewHeartbeatBody = z.object({
  /** `playback.viewToken` of `GET /api/videos/:id`: names the video and the viewer. */
  viewToken: z.string().min(1).max(2048),
  /** Where the playhead is now. */
  positionSec: Seconds,
  /** Real seconds played since the previous heartbeat (seeks excluded). The server clamps it. */
  playedSec: Seconds,
  /**
   * Where the view came from (ADR 0023), sent once with the first heartbeat; the counter keeps
   * it for the viewer's window. Optional: a heartbeat without it counts as `direct`.
   */
  source: TrafficSource.optional(),
  /** The embed page's stored viewer id, for browsers that do not send the `sl_viewer` cookie. */
  viewerId: ViewerId.optional(),
});
export type ViewHeartbeatBody = z.infer<typeof ViewHeartbeatBody>;

export const ViewHeartbeatResponse = z.object({
  /** True once this viewer's view is counted in the current window. */
  counted: z.boolean(),
  /** Played seconds accepted from this heartbeat (after clamping). */
  acceptedSec: z.number().nonnegative(),
});
export type ViewHeartbeatResponse = z.infer<typeof ViewHeartbeatResponse>;

export const HistoryItem = z.object({
  video: VideoDto,
  /** Where playback resumes (0 once the video was finished). */
  positionSec: z.number().nonnegative(),
  durationSec: z.number().nonnegative().nullable(),
  watchedAt: z.string(),
});
export type HistoryItem = z.infer<typeof HistoryItem>;

export const HISTORY_PAGE_SIZE = 20;
/** Opaque keyset cursor: `<watchedAt ms>.<videoId>`. */
export const HISTORY_CURSOR_PATTERN = /^\d{1,15}\.v_[A-Za-z0-9]{16}$/;

export const HistoryQuery = z.object({
  cursor: z.string().regex(HISTORY_CURSOR_PATTERN, "not a cursor from nextCursor").optional(),
});

export const HistoryResponse = z.object({
  items: z.array(HistoryItem),
  nextCursor: z.string().nullable(),
});
export type HistoryResponse = z.infer<typeof HistoryResponse>;

/** The anonymous viewer's id cookie (HttpOnly, set by the edge when a video is fetched without one). */
export const VIEWER_COOKIE = "sl_viewer";
