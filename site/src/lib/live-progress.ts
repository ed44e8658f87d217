/**
 * Live transcode progress for one video over the edge's WebSocket feed.
 *
 * Owns the connection lifecycle: a fresh one-time ticket for every (re)connect, keep-alive
 * pings, silence detection, reconnects with capped exponential backoff + jitter (reset once a
 * connection has been stable), a resync on every reconnect (the server's snapshot, plus a
 * re-read of the video to be safe), a slow poll only while no socket can be opened at all,
 * and a clean stop on terminal states (`ready` / `failed`) or when the video is deleted
 * (close 4404 / 4403 / ticket 404). Subscribers see one merged `LiveState` and what changed.
 *
 * Everything that touches the browser (API, WebSocket, timers, clock, randomness, the frame
 * parser) is injected, so the logic is unit-tested in Node; `browserLiveProgressDeps` wires
 * the real ones.
 */
import {
  type BackoffPolicy,
  backoffDelay,
  CLOSE_ACCESS_REVOKED,
  CLOSE_VIDEO_DELETED,
  type Rendition,
  type VideoStatus,
  type WsMessage,
} from "@streamline/contracts";
import { ApiError, api, type VideoDto } from "./api.ts";

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";
export type ProgressMessage = Extract<WsMessage, { type: "progress" }>;
/** Upload progress as the edge records parts (shared by every tab following the video). */
export type UploadProgress = Omit<Extract<WsMessage, { type: "upload" }>, "type">;

/** One rung of the ladder as the UI shows it. */
export interface RenditionRow {
  name: string;
  stage: string;
  /** 0–100; 100 once the rendition can be streamed. */
  percent: number;
  fps?: number;
  speed?: number;
  etaSec?: number;
  ready: boolean;
  rendition?: Rendition;
}

export interface LiveState {
  connection: ConnectionState;
  status: VideoStatus | null;
  playable: boolean;
  failureReason?: string;
  /** Whole-job progress: the latest report without a rendition, or any later one that got further. */
  job: ProgressMessage | null;
  /** Per rendition, in the order they were first heard of. */
  renditions: RenditionRow[];
  /** Why the feed ended for good, if it did. */
  terminal: "ready" | "failed" | "gone" | null;
  /** True while the slow poll stands in for a socket that cannot connect. */
  polling: boolean;
  /** Parts recorded so far while the video is still uploading (absent until the edge reports one). */
  upload?: UploadProgress;
}

export type LiveEvent =
  | { type: "subscribed" }
  | { type: "connection"; state: ConnectionState }
  | { type: "message"; message: WsMessage }
  | { type: "video"; video: VideoDto; reason: "resync" | "poll" }
  | { type: "gone" };

export type LiveListener = (state: Readonly<LiveState>, event: LiveEvent) => void;

export interface SocketHandlers {
  onOpen(): void;
  onMessage(data: unknown): void;
  onClose(code: number, reason: string): void;
}

export interface LiveSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type TimerHandle = unknown;

export interface LiveProgressDeps {
  requestTicket(videoId: string, signal: AbortSignal): Promise<{ ticket: string }>;
  getVideo(videoId: string, signal: AbortSignal): Promise<VideoDto>;
  socketUrl(videoId: string, ticket: string): string;
  openSocket(url: string, handlers: SocketHandlers): LiveSocket;
  /** Turns a text frame into a typed message; null for anything that does not match the contract. */
  loadParser(): Promise<(frame: string) => WsMessage | null>;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  random(): number;
}

export interface LiveProgressOptions {
  /** The copy of the video the page already has; seeds the state. */
  initial?: VideoDto;
  pingIntervalMs?: number;
  /** No frame (not even the `pong`) this long after a ping: the connection is dead. */
  pongTimeoutMs?: number;
  /** A socket that has not opened after this long counts as a failed attempt. */
  connectTimeoutMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Open this long and the next drop starts the backoff from scratch. */
  stableAfterMs?: number;
  /** Failed attempts in a row, without ever opening, before the slow poll starts. */
  pollAfterFailures?: number;
  pollIntervalMs?: number;
}

export interface LiveProgress {
  readonly state: Readonly<LiveState>;
  /** Calls `listener` at once with the current state, then on every change. Returns an unsubscribe. */
  subscribe(listener: LiveListener): () => void;
  start(): void;
  stop(): void;
}

const PING = "ping";
const PONG = "pong";

const DEFAULTS = {
  pingIntervalMs: 25_000,
  pongTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  stableAfterMs: 10_000,
  pollAfterFailures: 2,
  pollIntervalMs: 10_000,
};
/**
 * Reconnect delays (ms, attempt 0-based): from 1 s doubling to 15 s, with "equal jitter" (half
 * fixed, half random) so a room's watchers don't all come back in the same instant after a
 * deploy, yet nobody retries immediately.
 */
export const RECONNECT_BACKOFF: BackoffPolicy = { base: 1_000, cap: 15_000, jitter: [0.5, 1] };

export function initialLiveState(): LiveState {
  return {
    connection: "connecting",
    status: null,
    playable: false,
    job: null,
    renditions: [],
    terminal: null,
    polling: false,
  };
}

const TERMINAL_STATUS: Partial<Record<VideoStatus, "ready" | "failed">> = {
  ready: "ready",
  failed: "failed",
};
const WHOLE_JOB = "all";

function upsertRow(
  rows: RenditionRow[],
  name: string,
  patch: (row: RenditionRow) => RenditionRow,
): RenditionRow[] {
  const index = rows.findIndex((r) => r.name === name);
  if (index === -1) return [...rows, patch({ name, stage: "", percent: 0, ready: false })];
  return rows.map((row, i) => (i === index ? patch(row) : row));
}

function readyRow(row: RenditionRow, rendition: Rendition): RenditionRow {
  return { name: row.name, stage: "ready", percent: 100, ready: true, rendition };
}

function progressFields(
  m: ProgressMessage,
): Pick<RenditionRow, "stage" | "percent" | "fps" | "speed" | "etaSec"> {
  return {
    stage: m.stage,
    percent: Number.isFinite(m.percent) ? Math.min(100, Math.max(0, m.percent)) : 0,
    ...(m.fps !== undefined ? { fps: m.fps } : {}),
    ...(m.speed !== undefined ? { speed: m.speed } : {}),
    ...(m.etaSec !== undefined ? { etaSec: m.etaSec } : {}),
  };
}

/** Applies one server message. Pure; the VideoRoom's own merge rules, seen from the client. */
export function mergeMessage(state: LiveState, m: WsMessage): LiveState {
  switch (m.type) {
    case "status": {
      const next: LiveState = { ...state, status: m.status, playable: m.playable };
      if (m.failureReason) next.failureReason = m.failureReason;
      else delete next.failureReason;
      if (m.status === "queued") {
        // A new attempt starts from zero: drop live progress, keep what is already streamable.
        next.job = null;
        next.renditions = state.renditions.filter((r) => r.ready);
      }
      const terminal = TERMINAL_STATUS[m.status];
      if (terminal) next.terminal = terminal;
      return next;
    }
    case "progress": {
      const name = m.rendition ?? WHOLE_JOB;
      // Percent is over the whole job, so a rendition's report may also be the newest job figure.
      const job = name === WHOLE_JOB || !state.job || m.percent >= state.job.percent ? m : state.job;
      if (name === WHOLE_JOB) return { ...state, job };
      return {
        ...state,
        job,
        renditions: upsertRow(state.renditions, name, (row) =>
          row.ready ? row : { ...row, ...progressFields(m), name, ready: false },
        ),
      };
    }
    case "rendition":
      return {
        ...state,
        playable: true,
        renditions: upsertRow(state.renditions, m.rendition.name, (row) => readyRow(row, m.rendition)),
      };
    case "ready":
      return {
        ...state,
        status: "ready",
        playable: true,
        job: null,
        renditions: state.renditions.map((r) => (r.ready || !r.rendition ? r : readyRow(r, r.rendition))),
        terminal: "ready",
      };
    case "failed":
      return { ...state, status: "failed", failureReason: m.reason, job: null, terminal: "failed" };
    case "upload": {
      const { type: _type, ...upload } = m;
      return { ...state, upload };
    }
  }
}

/** Applies a fresh copy of the video from the API (the durable truth in D1). Pure. */
export function mergeVideo(state: LiveState, video: VideoDto): LiveState {
  let renditions = state.renditions;
  for (const r of video.renditions) {
    if (r.kind === "audio") continue;
    renditions = upsertRow(renditions, r.name, (row) => (row.ready ? row : readyRow(row, r)));
  }
  const next: LiveState = { ...state, status: video.status, playable: video.playable, renditions };
  if (video.failureReason) next.failureReason = video.failureReason;
  else delete next.failureReason;
  if (video.progress) {
    const { updatedAt: _updatedAt, ...progress } = video.progress;
    const merged = mergeMessage(next, { type: "progress", ...progress });
    next.job = merged.job;
    next.renditions = merged.renditions;
  } else if (video.status !== "processing") {
    next.job = null;
  }
  const terminal = TERMINAL_STATUS[video.status];
  if (terminal) next.terminal = terminal;
  return next;
}

type TimerName = "reconnect" | "ping" | "pong" | "connect" | "stable" | "poll";
type FrameParser = (frame: string) => WsMessage | null;

/** One feed's moving parts: its state, listeners, socket, counters and timers. */
interface Feed {
  readonly videoId: string;
  readonly deps: LiveProgressDeps;
  readonly cfg: typeof DEFAULTS;
  readonly backoff: BackoffPolicy;
  readonly listeners: Set<LiveListener>;
  /** Aborted when the feed is over for good; cancels its API calls. */
  readonly lifetime: AbortController;
  readonly timers: Partial<Record<TimerName, TimerHandle>>;
  state: LiveState;
  started: boolean;
  /** Incremented per socket, so late callbacks from a replaced socket are ignored. */
  generation: number;
  socket: LiveSocket | null;
  parse: FrameParser | null;
  /** Consecutive attempts that failed or dropped before the connection was stable. */
  attempt: number;
  /** Consecutive attempts that never opened (the slow poll starts after a few). */
  failuresWithoutOpen: number;
  opens: number;
}

export function createLiveProgress(
  videoId: string,
  deps: LiveProgressDeps,
  options: LiveProgressOptions = {},
): LiveProgress {
  const feed = createFeed(videoId, deps, options);
  return {
    get state() {
      return feed.state;
    },
    subscribe(listener) {
      feed.listeners.add(listener);
      listener(feed.state, { type: "subscribed" });
      return () => feed.listeners.delete(listener);
    },
    start() {
      if (feed.started) return;
      feed.started = true;
      if (feed.state.terminal) finish(feed);
      else void connect(feed);
    },
    stop() {
      finish(feed);
    },
  };
}

function createFeed(videoId: string, deps: LiveProgressDeps, options: LiveProgressOptions): Feed {
  const initial = initialLiveState();
  return {
    videoId,
    deps,
    cfg: { ...DEFAULTS, ...options },
    backoff: { ...RECONNECT_BACKOFF, ...options.backoff },
    listeners: new Set(),
    lifetime: new AbortController(),
    timers: {},
    state: options.initial ? mergeVideo(initial, options.initial) : initial,
    started: false,
    generation: 0,
    socket: null,
    parse: null,
    attempt: 0,
    failuresWithoutOpen: 0,
    opens: 0,
  };
}

// ---- timers and events --------------------------------------------------------------------

/** Arms the named timer (replacing a pending one); it forgets its handle when it fires. */
function later(feed: Feed, name: TimerName, ms: number, fn: () => void) {
  clearTimer(feed, name);
  feed.timers[name] = feed.deps.setTimeout(() => {
    feed.timers[name] = undefined;
    fn();
  }, ms);
}

function clearTimer(feed: Feed, name: TimerName) {
  const handle = feed.timers[name];
  if (handle !== undefined) feed.deps.clearTimeout(handle);
  feed.timers[name] = undefined;
}

function emit(feed: Feed, event: LiveEvent) {
  for (const listener of [...feed.listeners]) listener(feed.state, event);
}

function setConnection(feed: Feed, connection: ConnectionState) {
  if (feed.state.connection === connection) return;
  feed.state = { ...feed.state, connection };
  emit(feed, { type: "connection", state: connection });
}

// ---- the end, and the API's copy of the video ---------------------------------------------

/** The feed is over for good. */
function finish(feed: Feed) {
  dropSocket(feed, 1000, "done");
  clearTimer(feed, "reconnect");
  clearTimer(feed, "poll");
  feed.lifetime.abort();
  if (feed.state.polling) feed.state = { ...feed.state, polling: false };
  setConnection(feed, "closed");
}

function gone(feed: Feed) {
  feed.state = { ...feed.state, terminal: "gone" };
  emit(feed, { type: "gone" });
  finish(feed);
}

async function fetchVideo(feed: Feed, reason: "resync" | "poll") {
  const { signal } = feed.lifetime;
  try {
    const video = await feed.deps.getVideo(feed.videoId, signal);
    if (signal.aborted) return;
    feed.state = mergeVideo(feed.state, video);
    emit(feed, { type: "video", video, reason });
    if (feed.state.terminal) finish(feed);
  } catch (err) {
    if (signal.aborted) return;
    if (err instanceof ApiError && err.notFound) gone(feed);
    // Anything else: the socket (or the next poll) brings the state soon enough.
  }
}

// ---- slow poll, only while no socket can be opened ----------------------------------------

function setPolling(feed: Feed, polling: boolean) {
  if (feed.state.polling === polling) return;
  feed.state = { ...feed.state, polling };
  if (polling) {
    void fetchVideo(feed, "poll");
    schedulePoll(feed);
  } else {
    clearTimer(feed, "poll");
  }
}

function schedulePoll(feed: Feed) {
  later(feed, "poll", feed.cfg.pollIntervalMs, async () => {
    await fetchVideo(feed, "poll");
    if (feed.state.polling && !feed.lifetime.signal.aborted) schedulePoll(feed);
  });
}

// ---- connection ---------------------------------------------------------------------------

async function connect(feed: Feed) {
  if (feed.lifetime.signal.aborted) return;
  setConnection(feed, feed.opens === 0 && feed.attempt === 0 ? "connecting" : "reconnecting");
  const ticket = await fetchTicket(feed);
  if (ticket === null || feed.lifetime.signal.aborted) return;
  openFeedSocket(feed, ticket);
}

/** The frame parser (once) and a fresh one-time ticket; null when this attempt is over. */
async function fetchTicket(feed: Feed): Promise<string | null> {
  try {
    const [parser, issued] = await Promise.all([
      feed.parse ?? feed.deps.loadParser(),
      feed.deps.requestTicket(feed.videoId, feed.lifetime.signal),
    ]);
    feed.parse = parser;
    return issued.ticket;
  } catch (err) {
    if (feed.lifetime.signal.aborted) return null;
    if (err instanceof ApiError && err.notFound) gone(feed);
    else {
      feed.failuresWithoutOpen++;
      scheduleReconnect(feed);
    }
    return null;
  }
}

function openFeedSocket(feed: Feed, ticket: string) {
  const gen = ++feed.generation;
  const current = () => gen === feed.generation;
  let opened = false;
  later(feed, "connect", feed.cfg.connectTimeoutMs, () => {
    if (current() && !opened) connectionLost(feed, false);
  });
  try {
    feed.socket = feed.deps.openSocket(feed.deps.socketUrl(feed.videoId, ticket), {
      onOpen() {
        if (!current()) return;
        opened = true;
        socketOpened(feed, gen);
      },
      onMessage(data) {
        if (current()) onFrame(feed, data);
      },
      onClose(code) {
        if (!current()) return;
        // Deleted, or made private while we watched (and we are not the owner): to us it is gone.
        if (code === CLOSE_VIDEO_DELETED || code === CLOSE_ACCESS_REVOKED) gone(feed);
        else connectionLost(feed, opened);
      },
    });
  } catch {
    // A malformed URL or a blocked scheme: the same as a failed attempt.
    if (current()) connectionLost(feed, false);
  }
}

function socketOpened(feed: Feed, gen: number) {
  feed.opens++;
  feed.failuresWithoutOpen = 0;
  clearTimer(feed, "connect");
  setPolling(feed, false);
  setConnection(feed, "open");
  schedulePing(feed, gen);
  later(feed, "stable", feed.cfg.stableAfterMs, () => {
    if (gen === feed.generation) feed.attempt = 0;
  });
  // The server's snapshot resyncs us; the re-read covers anything it cannot know.
  if (feed.opens > 1) void fetchVideo(feed, "resync");
}

function onFrame(feed: Feed, data: unknown) {
  if (!feed.parse) return;
  clearTimer(feed, "pong");
  if (typeof data !== "string" || data === PONG) return;
  const message = feed.parse(data);
  if (!message) return; // Not ours to understand (a newer server): ignore rather than drop.
  feed.state = mergeMessage(feed.state, message);
  emit(feed, { type: "message", message });
  if (feed.state.terminal) finish(feed);
}

function schedulePing(feed: Feed, gen: number) {
  later(feed, "ping", feed.cfg.pingIntervalMs, () => {
    const socket = feed.socket;
    if (gen !== feed.generation || !socket) return;
    try {
      socket.send(PING);
    } catch {
      connectionLost(feed, true);
      return;
    }
    // Silence: a half-open TCP connection never fires `close`, so stop waiting for it.
    later(feed, "pong", feed.cfg.pongTimeoutMs, () => {
      if (gen === feed.generation) connectionLost(feed, true);
    });
    schedulePing(feed, gen);
  });
}

/** A connection attempt ended without opening, or an open one dropped. */
function connectionLost(feed: Feed, opened: boolean) {
  dropSocket(feed);
  if (!opened) feed.failuresWithoutOpen++;
  scheduleReconnect(feed);
}

function scheduleReconnect(feed: Feed) {
  if (feed.lifetime.signal.aborted) return;
  const delay = backoffDelay(feed.attempt, feed.backoff, () => feed.deps.random());
  feed.attempt++;
  clearTimer(feed, "reconnect");
  setConnection(feed, "reconnecting");
  if (feed.failuresWithoutOpen >= feed.cfg.pollAfterFailures) setPolling(feed, true);
  later(feed, "reconnect", delay, () => void connect(feed));
}

const SOCKET_TIMERS: readonly TimerName[] = ["ping", "pong", "connect", "stable"];

function dropSocket(feed: Feed, code = 1000, reason = "") {
  feed.generation++;
  for (const name of SOCKET_TIMERS) clearTimer(feed, name);
  const old = feed.socket;
  feed.socket = null;
  try {
    old?.close(code, reason);
  } catch {
    // Already closed.
  }
}

/** The real thing: same-origin API, the browser's WebSocket and timers, the contracts schema. */
export function browserLiveProgressDeps(): LiveProgressDeps {
  return {
    requestTicket: (videoId, signal) => api.wsTicket(videoId, signal),
    getVideo: (videoId, signal) => api.getVideo(videoId, signal),
    socketUrl: (videoId, ticket) =>
      `${location.origin.replace(/^http/, "ws")}/ws/videos/${encodeURIComponent(videoId)}?ticket=${encodeURIComponent(ticket)}`,
    openSocket(url, handlers) {
      const ws = new WebSocket(url);
      ws.onopen = () => handlers.onOpen();
      ws.onmessage = (event) => handlers.onMessage(event.data);
      ws.onclose = (event) => handlers.onClose(event.code, event.reason);
      return { send: (data) => ws.send(data), close: (code, reason) => ws.close(code, reason) };
    },
    // zod only loads once a page actually follows a transcode.
    loadParser: () => import("./ws-frame.ts").then((m) => m.parseWsFrame),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    random: () => Math.random(),
  };
}
