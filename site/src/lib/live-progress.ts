/**
 * Live transcode progress for one video over the edge's WebSocket feed.
 *
 * Owns the connection lifecycle: a fresh one-time ticket for every (re)connect, keep-alive
 * pings, silence detection, reconnects with capped exponential backoff + jitter (reset once a
 * connection has been stable), a resync on every reconnect (the server's snapshot, plus a
 * re-read of the video to be safe), a slow poll only while no socket can be opened at all,
 * and a clean stop on terminal states (`ready` / `failed`) or when the video is deleted
 * (close 4404 / ticket 404). Subscribers see one merged `LiveState` and what changed.
 *
 * Everything that touches the browser (API, WebSocket, timers, clock, randomness, the frame
 * parser) is injected, so the logic is unit-tested in Node; `browserLiveProgressDeps` wires
 * the real ones.
 */
import {
  type BackoffPolicy,
  backoffDelay,
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

export function createLiveProgress(
  videoId: string,
  deps: LiveProgressDeps,
  options: LiveProgressOptions = {},
): LiveProgress {
  const cfg = { ...DEFAULTS, ...options };
  const backoff: BackoffPolicy = { ...RECONNECT_BACKOFF, ...options.backoff };
  const listeners = new Set<LiveListener>();
  const lifetime = new AbortController();

  let state = options.initial ? mergeVideo(initialLiveState(), options.initial) : initialLiveState();
  let started = false;
  /** Incremented per socket, so late callbacks from a replaced socket are ignored. */
  let generation = 0;
  let socket: LiveSocket | null = null;
  let parse: ((frame: string) => WsMessage | null) | null = null;
  /** Consecutive attempts that failed or dropped before the connection was stable. */
  let attempt = 0;
  /** Consecutive attempts that never opened (the slow poll starts after a few). */
  let failuresWithoutOpen = 0;
  let opens = 0;
  const timers = {
    reconnect: undefined as TimerHandle,
    ping: undefined as TimerHandle,
    pong: undefined as TimerHandle,
    connect: undefined as TimerHandle,
    stable: undefined as TimerHandle,
    poll: undefined as TimerHandle,
  };

  const clear = (name: keyof typeof timers) => {
    if (timers[name] !== undefined) deps.clearTimeout(timers[name]);
    timers[name] = undefined;
  };

  const emit = (event: LiveEvent) => {
    for (const listener of [...listeners]) listener(state, event);
  };

  const setConnection = (connection: ConnectionState) => {
    if (state.connection === connection) return;
    state = { ...state, connection };
    emit({ type: "connection", state: connection });
  };

  const dropSocket = (code = 1000, reason = "") => {
    generation++;
    clear("ping");
    clear("pong");
    clear("connect");
    clear("stable");
    const old = socket;
    socket = null;
    try {
      old?.close(code, reason);
    } catch {
      // Already closed.
    }
  };

  /** The feed is over for good. */
  const finish = () => {
    dropSocket(1000, "done");
    clear("reconnect");
    stopPolling();
    lifetime.abort();
    if (state.polling) state = { ...state, polling: false };
    setConnection("closed");
  };

  const gone = () => {
    state = { ...state, terminal: "gone" };
    emit({ type: "gone" });
    finish();
  };

  const applyVideo = (video: VideoDto, reason: "resync" | "poll") => {
    state = mergeVideo(state, video);
    emit({ type: "video", video, reason });
    if (state.terminal) finish();
  };

  const fetchVideo = async (reason: "resync" | "poll") => {
    try {
      const video = await deps.getVideo(videoId, lifetime.signal);
      if (!lifetime.signal.aborted) applyVideo(video, reason);
    } catch (err) {
      if (lifetime.signal.aborted) return;
      if (err instanceof ApiError && err.notFound) gone();
      // Anything else: the socket (or the next poll) brings the state soon enough.
    }
  };

  // ---- slow poll, only while no socket can be opened -------------------------------------

  const stopPolling = () => {
    clear("poll");
  };

  const schedulePoll = () => {
    clear("poll");
    timers.poll = deps.setTimeout(async () => {
      timers.poll = undefined;
      await fetchVideo("poll");
      if (state.polling && !lifetime.signal.aborted) schedulePoll();
    }, cfg.pollIntervalMs);
  };

  const setPolling = (polling: boolean) => {
    if (state.polling === polling) return;
    state = { ...state, polling };
    if (polling) {
      void fetchVideo("poll");
      schedulePoll();
    } else {
      stopPolling();
    }
  };

  // ---- connection ---------------------------------------------------------------------------

  const scheduleReconnect = () => {
    if (lifetime.signal.aborted) return;
    clear("reconnect");
    const delay = backoffDelay(attempt, backoff, () => deps.random());
    attempt++;
    setConnection("reconnecting");
    if (failuresWithoutOpen >= cfg.pollAfterFailures) setPolling(true);
    timers.reconnect = deps.setTimeout(() => {
      timers.reconnect = undefined;
      void connect();
    }, delay);
  };

  /** A connection attempt ended without opening, or an open one dropped. */
  const connectionLost = (opened: boolean) => {
    dropSocket();
    if (!opened) failuresWithoutOpen++;
    scheduleReconnect();
  };

  const schedulePing = (gen: number) => {
    clear("ping");
    timers.ping = deps.setTimeout(() => {
      if (gen !== generation || !socket) return;
      try {
        socket.send(PING);
      } catch {
        connectionLost(true);
        return;
      }
      clear("pong");
      timers.pong = deps.setTimeout(() => {
        // Silence: a half-open TCP connection never fires `close`, so stop waiting for it.
        if (gen === generation) connectionLost(true);
      }, cfg.pongTimeoutMs);
      schedulePing(gen);
    }, cfg.pingIntervalMs);
  };

  const onFrame = (gen: number, data: unknown) => {
    if (gen !== generation || !parse) return;
    clear("pong");
    if (typeof data !== "string" || data === PONG) return;
    const message = parse(data);
    if (!message) return; // Not ours to understand (a newer server): ignore rather than drop.
    state = mergeMessage(state, message);
    emit({ type: "message", message });
    if (state.terminal) finish();
  };

  const connect = async () => {
    if (lifetime.signal.aborted) return;
    setConnection(opens === 0 && attempt === 0 ? "connecting" : "reconnecting");
    let ticket: string;
    try {
      const [parser, issued] = await Promise.all([
        parse ?? deps.loadParser(),
        deps.requestTicket(videoId, lifetime.signal),
      ]);
      parse = parser;
      ticket = issued.ticket;
    } catch (err) {
      if (lifetime.signal.aborted) return;
      if (err instanceof ApiError && err.notFound) return gone();
      failuresWithoutOpen++;
      scheduleReconnect();
      return;
    }
    if (lifetime.signal.aborted) return;

    const gen = ++generation;
    let opened = false;
    timers.connect = deps.setTimeout(() => {
      if (gen === generation && !opened) connectionLost(false);
    }, cfg.connectTimeoutMs);
    try {
      socket = deps.openSocket(deps.socketUrl(videoId, ticket), {
        onOpen() {
          if (gen !== generation) return;
          opened = true;
          opens++;
          failuresWithoutOpen = 0;
          clear("connect");
          setPolling(false);
          setConnection("open");
          schedulePing(gen);
          timers.stable = deps.setTimeout(() => {
            if (gen === generation) attempt = 0;
          }, cfg.stableAfterMs);
          // The server's snapshot resyncs us; the re-read covers anything it cannot know.
          if (opens > 1) void fetchVideo("resync");
        },
        onMessage(data) {
          onFrame(gen, data);
        },
        onClose(code) {
          if (gen !== generation) return;
          if (code === CLOSE_VIDEO_DELETED) return gone();
          connectionLost(opened);
        },
      });
    } catch {
      // A malformed URL or a blocked scheme: the same as a failed attempt.
      if (gen === generation) connectionLost(false);
    }
  };

  return {
    get state() {
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      listener(state, { type: "subscribed" });
      return () => listeners.delete(listener);
    },
    start() {
      if (started) return;
      started = true;
      if (state.terminal) {
        finish();
        return;
      }
      void connect();
    },
    stop() {
      finish();
    },
  };
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
