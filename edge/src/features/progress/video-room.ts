/**
 * VideoRoom: one SQLite-backed Durable Object per video. It
 *  - keeps the latest status / per-rendition progress and fans typed messages out to
 *    WebSocket watchers (hibernation API; pings are answered without waking it);
 *  - redeems one-time WebSocket tickets;
 *  - owns the job lease: dispatch starts it, heartbeats renew it, and if it runs out the
 *    alarm starts the next attempt (bounded), or fails the video "transcoding timed out".
 */
import { DurableObject } from "cloudflare:workers";
import { CLOSE_ACCESS_REVOKED, CLOSE_VIDEO_DELETED, type WsMessage } from "@streamline/contracts";
import { loadConfig } from "../../config.ts";
import { database } from "../../db/client.ts";
import { JobsService, queueOf } from "../jobs/jobs.service.ts";
import { failureMessages, storedFailure, watcherSafe } from "../videos/video-failure.ts";
import { VideosRepo } from "../videos/videos.repo.ts";
import { LEASE_MS } from "./lease.ts";
import { parseWatcher, WATCHER_HEADER, type Watcher } from "./watcher.ts";

export const CLOSE_POLICY = 1008;

/** Who a socket belongs to (from its ticket; kept across hibernation as its attachment). */
export function watcherOf(ws: WebSocket): Watcher {
  return parseWatcher(ws.deserializeAttachment());
}

/** Storage key of the latest access epoch the edge told this room about (revokeAccess). */
const ACCESS_EPOCH_KEY = "accessEpoch";

interface Lease {
  attemptId: string;
  attempt: number;
  expiresAt: number;
}

export interface LeaseChange {
  action: "renew" | "release";
  attemptId: string;
  ttlMs?: number;
}

/** Folds one message into the room's snapshot. A terminal message clears live progress and the lease. */
function applyMessage(state: RoomState, m: WsMessage) {
  switch (m.type) {
    case "status":
      state.status = m;
      if (m.status === "queued") {
        state.progress = {};
        delete state.terminal;
      }
      break;
    case "progress":
      state.progress[m.rendition ?? "all"] = m;
      break;
    case "rendition":
      state.renditions = [...state.renditions.filter((r) => r.rendition.name !== m.rendition.name), m];
      break;
    case "upload":
      state.upload = m;
      break;
    case "ready":
    case "failed":
      state.terminal = m;
      state.progress = {};
      delete state.lease;
      break;
  }
}

interface RoomState {
  videoId?: string;
  status?: Extract<WsMessage, { type: "status" }>;
  /** Latest progress per rendition ("all" when the transcoder reports the whole job). */
  progress: Record<string, Extract<WsMessage, { type: "progress" }>>;
  renditions: Extract<WsMessage, { type: "rendition" }>[];
  upload?: Extract<WsMessage, { type: "upload" }>;
  terminal?: Extract<WsMessage, { type: "ready" | "failed" }>;
  lease?: Lease;
}

/**
 * Progress-only publishes skip the storage write while the lease's stored expiry trails the
 * live one by less than this share of the lease (ADR 0032): one SQLite write and one alarm
 * write per event were most of the room's work per event besides the sends themselves.
 */
const LEASE_PERSIST_SHARE = 0.25;

export class VideoRoom extends DurableObject<Env> {
  private state: RoomState | undefined;
  /** The lease as last written to storage (what a fresh instance would load). */
  private storedLease: Lease | undefined;
  /** Open sockets, kept while the object is in memory (rebuilt from the runtime after hibernation). */
  private sockets: Set<WebSocket> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Pings are answered by the runtime itself: idle watchers never wake the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS tickets (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)",
      );
    });
  }

  private async load(videoId?: string): Promise<RoomState> {
    if (!this.state) {
      this.state = (await this.ctx.storage.get<RoomState>("state")) ?? { progress: {}, renditions: [] };
      this.storedLease = this.state.lease && { ...this.state.lease };
    }
    if (videoId && !this.state.videoId) this.state.videoId = videoId;
    return this.state;
  }

  private async save() {
    if (!this.state) return;
    await this.ctx.storage.put("state", this.state);
    this.storedLease = this.state.lease && { ...this.state.lease };
  }

  private watchers(): Set<WebSocket> {
    this.sockets ??= new Set(this.ctx.getWebSockets());
    return this.sockets;
  }

  /** Every frame to every socket: one send per socket and frame, nothing else per socket. */
  private broadcast(frames: readonly string[]) {
    const sockets = this.watchers();
    for (const ws of sockets) {
      try {
        for (const frame of frames) ws.send(frame);
      } catch {
        // A socket closing mid-send is not the publisher's problem; it leaves the set.
        sockets.delete(ws);
      }
    }
  }

  /**
   * Whether this publish must reach storage: any message but progress (the snapshot late
   * joiners and a fresh instance need), a lease started, released or handed to another
   * attempt, or a renewal that moved the expiry by a quarter of the lease since the last
   * write. Otherwise the stored expiry (and the alarm) trail the live one by less than
   * that, so a fresh instance can only see a lease end early by that much (ADR 0032).
   */
  private mustPersist(messages: readonly WsMessage[], lease: LeaseChange | undefined): boolean {
    if (messages.some((m) => m.type !== "progress")) return true;
    if (!lease) return false;
    const live = this.state?.lease;
    const stored = this.storedLease;
    if (!live || !stored || live.attemptId !== stored.attemptId) return live !== stored;
    return live.expiresAt - stored.expiresAt >= (lease.ttlMs ?? LEASE_MS) * LEASE_PERSIST_SHARE;
  }

  /**
   * Record and broadcast; optionally renew or release the attempt's lease in the same
   * call (one RPC per transcoder event). Frames go out before the state is persisted so
   * the broadcast is not held behind the storage write by the output gate: a crash in
   * between loses only the late-joiner snapshot, and D1 keeps the durable status.
   */
  async publish(videoId: string, published: WsMessage[], lease?: LeaseChange): Promise<void> {
    const state = await this.load(videoId);
    // Every watcher (owner or not) gets failure text from the vocabulary only (hole 10).
    const messages = published.map(watcherSafe);
    for (const m of messages) applyMessage(state, m);
    if (lease?.action === "renew") {
      const attempt = state.lease?.attemptId === lease.attemptId ? state.lease.attempt : 0;
      state.lease = {
        attemptId: lease.attemptId,
        attempt,
        expiresAt: Date.now() + (lease.ttlMs ?? LEASE_MS),
      };
    } else if (lease?.action === "release" && state.lease?.attemptId === lease.attemptId) {
      delete state.lease;
    }
    // Each message serialized once, for every socket.
    if (messages.length) this.broadcast(messages.map((m) => JSON.stringify(m)));
    if (!this.mustPersist(messages, lease)) return;
    await this.save();
    if (state.lease) await this.ctx.storage.setAlarm(state.lease.expiresAt);
    else await this.ctx.storage.deleteAlarm();
  }

  /** What a watcher that connects now needs to be in sync. */
  async snapshot(): Promise<WsMessage[]> {
    const s = await this.load();
    const out: WsMessage[] = [];
    if (s.status) out.push(s.status);
    if (s.upload && (!s.status || s.status.status === "uploading")) out.push(s.upload);
    out.push(...s.renditions);
    out.push(...Object.values(s.progress));
    if (s.terminal) out.push(s.terminal);
    return out;
  }

  // ---- job lease -------------------------------------------------------------------

  async startLease(videoId: string, attemptId: string, attempt: number, ttlMs = LEASE_MS): Promise<void> {
    const state = await this.load(videoId);
    state.lease = { attemptId, attempt, expiresAt: Date.now() + ttlMs };
    await this.save();
    await this.ctx.storage.setAlarm(state.lease.expiresAt);
  }

  /**
   * Heartbeat of the current attempt (the caller checked that against D1): extends the
   * lease, or creates it when events beat the dispatcher's `startLease`.
   */
  async renewLease(videoId: string, attemptId: string, ttlMs = LEASE_MS): Promise<void> {
    await this.publish(videoId, [], { action: "renew", attemptId, ttlMs });
  }

  async releaseLease(videoId: string, attemptId: string): Promise<void> {
    await this.publish(videoId, [], { action: "release", attemptId });
  }

  async leaseInfo(): Promise<Lease | null> {
    return (await this.load()).lease ?? null;
  }

  override async alarm(): Promise<void> {
    const state = await this.load();
    const lease = state.lease;
    if (!lease || !state.videoId) return;
    if (lease.expiresAt > Date.now()) {
      await this.ctx.storage.setAlarm(lease.expiresAt);
      return;
    }
    delete state.lease;
    await this.save();
    const repo = new VideosRepo(database(this.env.DB));
    const video = await repo.find(state.videoId);
    // Only the attempt that held the lease may be replaced; anything else moved on already.
    if (!video || video.attemptId !== lease.attemptId || !["queued", "processing"].includes(video.status))
      return;
    const config = loadConfig(this.env);
    const jobs = new JobsService({
      repo,
      queue: queueOf(this.env.JOBS),
      maxAttempts: config.MAX_TRANSCODE_ATTEMPTS,
    });
    const next = await jobs.startAttempt(video, ["queued", "processing"]);
    if (next.started) {
      await this.publish(video.id, [{ type: "status", status: "queued", playable: video.playable }]);
      return;
    }
    if (next.reason === "attempts_exhausted") {
      if (
        await repo.transition(video.id, ["queued", "processing"], {
          status: "failed",
          ...storedFailure("timed_out", "transcoding timed out"),
          progressJson: null,
        })
      ) {
        await this.publish(video.id, failureMessages("timed_out", video.playable));
      }
    }
  }

  // ---- watchers --------------------------------------------------------------------

  /** One-time tickets: true the first time a ticket id is seen (until it expires). */
  redeemTicket(jti: string, expiresAt: number): boolean {
    const now = Date.now();
    this.ctx.storage.sql.exec("DELETE FROM tickets WHERE expires_at < ?", now);
    const seen = this.ctx.storage.sql.exec("SELECT 1 FROM tickets WHERE jti = ?", jti).toArray().length > 0;
    if (seen) return false;
    this.ctx.storage.sql.exec("INSERT INTO tickets (jti, expires_at) VALUES (?, ?)", jti, expiresAt);
    return true;
  }

  /**
   * The video lost viewers (made private; `epoch` is its new access epoch): every socket
   * but the owner's is closed with CLOSE_ACCESS_REVOKED, and tickets issued under an older
   * epoch no longer open one. Idempotent.
   */
  async revokeAccess(epoch: number): Promise<void> {
    if (epoch > (await this.accessEpoch())) await this.ctx.storage.put(ACCESS_EPOCH_KEY, epoch);
    for (const ws of this.ctx.getWebSockets()) {
      if (watcherOf(ws).owner) continue;
      ws.close(CLOSE_ACCESS_REVOKED, "access revoked");
      this.sockets?.delete(ws);
    }
  }

  /**
   * The video's owner was suspended (ADR 0024): the video is hidden from everyone and its
   * owner is signed out, so every socket closes with CLOSE_ACCESS_REVOKED (owner's included);
   * the ws route refuses new ones while the suspension lasts. The room's state is kept.
   */
  async ownerSuspended(): Promise<number> {
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) ws.close(CLOSE_ACCESS_REVOKED, "account suspended");
    this.sockets = undefined;
    return sockets.length;
  }

  private async accessEpoch(): Promise<number> {
    return (await this.ctx.storage.get<number>(ACCESS_EPOCH_KEY)) ?? 0;
  }

  /** The video is gone: say so and close every socket. */
  async closeRoom(reason: string): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) ws.close(CLOSE_VIDEO_DELETED, reason.slice(0, 120));
    this.sockets = undefined;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.state = undefined;
    this.storedLease = undefined;
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    const watcher = parseWatcher(request.headers.get(WATCHER_HEADER));
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(watcher);
    this.sockets?.add(server);
    if (!watcher.owner && watcher.epoch < (await this.accessEpoch())) {
      // Ticketed before the video turned private: nothing to see here.
      server.close(CLOSE_ACCESS_REVOKED, "access revoked");
    } else {
      for (const m of await this.snapshot()) server.send(JSON.stringify(m));
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.sockets?.delete(ws);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // "ping" is auto-answered; anything else is not allowed from watchers.
    if (message !== "ping") ws.close(CLOSE_POLICY, "watchers may only send ping");
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.sockets?.delete(ws);
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }
}
