/**
 * The header bell's live connection to `GET /ws/notifications` (ADR 0017): a fresh one-time
 * ticket per (re)connect, keep-alive pings, reconnects with capped exponential backoff and
 * jitter (reset once a connection has been stable), like lib/live-progress.ts. Frames are
 * handed to `onFrame` as parsed `NotificationWsMessage`s. Browser pieces are injected so
 * the logic is unit-tested in Node; `browserLiveNotificationsDeps` wires the real ones.
 */
import { backoffDelay } from "@streamline/contracts";
import { api, type NotificationWsMessage } from "../../lib/api.ts";
import { RECONNECT_BACKOFF } from "../../lib/live-progress.ts";

export const PING_MS = 25_000;
/** A connection open this long resets the backoff. */
export const STABLE_MS = 10_000;

export interface NotificationSocket {
  send(data: string): void;
  close(): void;
}

export interface LiveNotificationsDeps {
  requestTicket(): Promise<{ ticket: string }>;
  openSocket(
    ticket: string,
    handlers: { onOpen(): void; onMessage(data: string): void; onClose(): void },
  ): NotificationSocket;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  random(): number;
  now(): number;
}

export interface LiveNotifications {
  stop(): void;
}

/** Parses a frame; anything else (a proxy's text, a future frame type) is ignored. */
export function parseNotificationFrame(data: string): NotificationWsMessage | null {
  try {
    const m = JSON.parse(data) as NotificationWsMessage;
    if (m && (m.type === "notification" || m.type === "unread") && typeof m.unreadCount === "number")
      return m;
  } catch {
    // not JSON
  }
  return null;
}

export function connectLiveNotifications(
  deps: LiveNotificationsDeps,
  onFrame: (m: NotificationWsMessage) => void,
  onConnection: (open: boolean) => void = () => {},
): LiveNotifications {
  let stopped = false;
  let failures = 0;
  let socket: NotificationSocket | null = null;
  let retry: unknown = null;
  let ping: unknown = null;
  let openedAt = 0;

  const scheduleReconnect = () => {
    if (stopped) return;
    const delay = backoffDelay(failures++, RECONNECT_BACKOFF, deps.random);
    retry = deps.setTimeout(() => void open(), delay);
  };

  const onClose = () => {
    if (ping !== null) deps.clearInterval(ping);
    ping = null;
    socket = null;
    onConnection(false);
    if (openedAt && deps.now() - openedAt >= STABLE_MS) failures = 0;
    openedAt = 0;
    scheduleReconnect();
  };

  async function open() {
    retry = null;
    let ticket: string;
    try {
      ticket = (await deps.requestTicket()).ticket;
    } catch {
      scheduleReconnect();
      return;
    }
    if (stopped) return;
    socket = deps.openSocket(ticket, {
      onOpen: () => {
        openedAt = deps.now();
        onConnection(true);
        ping = deps.setInterval(() => socket?.send("ping"), PING_MS);
      },
      onMessage: (data) => {
        const m = parseNotificationFrame(data);
        if (m) onFrame(m);
      },
      onClose,
    });
  }

  void open();
  return {
    stop() {
      stopped = true;
      if (retry !== null) deps.clearTimeout(retry);
      if (ping !== null) deps.clearInterval(ping);
      socket?.close();
    },
  };
}

export function browserLiveNotificationsDeps(): LiveNotificationsDeps {
  return {
    requestTicket: () => api.notificationsTicket(),
    openSocket(ticket, handlers) {
      const url = `${location.origin.replace(/^http/, "ws")}/ws/notifications?ticket=${encodeURIComponent(ticket)}`;
      const ws = new WebSocket(url);
      ws.onopen = () => handlers.onOpen();
      ws.onmessage = (event) => {
        if (typeof event.data === "string" && event.data !== "pong") handlers.onMessage(event.data);
      };
      ws.onclose = () => handlers.onClose();
      return {
        send: (data) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(data);
        },
        close: () => ws.close(1000),
      };
    },
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    setInterval: (fn, ms) => setInterval(fn, ms),
    clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
    random: () => Math.random(),
    now: () => Date.now(),
  };
}
