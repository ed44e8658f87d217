/**
 * Node registry: who is in the fleet, with what capacity, running what. Each node writes
 * its own entry with a TTL and refreshes it (NodePresence), so a crashed node disappears
 * by itself; a graceful shutdown removes it at once.
 *
 * Redis: `${prefix}node:${nodeId}` = JSON entry with PX ttl, indexed by the set
 * `${prefix}nodes` (members whose key has expired are pruned on read — liveness is the
 * key's TTL on the Redis clock, never a node's wall clock). In memory: this node only.
 */
import type { Redis } from "ioredis";
import { errorMessage, log } from "../log.ts";

export interface RunningJobInfo {
  jobId: string;
  /** What the job works on (contracts `jobSubject`): the video, or a channel image's user id. */
  videoId: string;
  attempt: number;
  attemptId: string;
  startedAt: string;
  /** Latest pipeline stage and whole-job percent, once the job reported one. */
  stage?: string;
  percent?: number;
}

export interface NodeInfo {
  nodeId: string;
  /** Where this node can be reached (PUBLIC_URL), when configured. */
  url?: string;
  capacity: number;
  running: RunningJobInfo[];
  draining: boolean;
  startedAt: string;
  version: string;
  lastSeen: string;
}

export interface NodeRegistry {
  announce(info: NodeInfo, ttlMs: number): Promise<void>;
  remove(nodeId: string): Promise<void>;
  /** Every live node, sorted by nodeId. */
  list(): Promise<NodeInfo[]>;
}

export class MemoryNodeRegistry implements NodeRegistry {
  private readonly nodes = new Map<string, { info: NodeInfo; expiresAt: number }>();
  private readonly now: () => number;
  constructor(now: () => number = Date.now) {
    this.now = now;
  }
  async announce(info: NodeInfo, ttlMs: number) {
    this.nodes.set(info.nodeId, { info: structuredClone(info), expiresAt: this.now() + ttlMs });
  }
  async remove(nodeId: string) {
    this.nodes.delete(nodeId);
  }
  async list() {
    const now = this.now();
    return [...this.nodes.values()]
      .filter((n) => n.expiresAt > now)
      .map((n) => structuredClone(n.info))
      .sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }
}

export class RedisNodeRegistry implements NodeRegistry {
  private readonly redis: Redis;
  private readonly keyPrefix: string;
  private readonly index: string;
  constructor(redis: Redis, prefix = "streamline:") {
    this.redis = redis;
    this.keyPrefix = `${prefix}node:`;
    this.index = `${prefix}nodes`;
  }

  async announce(info: NodeInfo, ttlMs: number) {
    await this.redis
      .multi()
      .set(this.keyPrefix + info.nodeId, JSON.stringify(info), "PX", ttlMs)
      .sadd(this.index, info.nodeId)
      .exec();
  }

  async remove(nodeId: string) {
    await this.redis
      .multi()
      .del(this.keyPrefix + nodeId)
      .srem(this.index, nodeId)
      .exec();
  }

  async list() {
    const ids = (await this.redis.smembers(this.index)).sort();
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keyPrefix + id));
    const live: NodeInfo[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const raw = raws[i];
      if (raw == null) gone.push(id);
      else {
        try {
          live.push(JSON.parse(raw) as NodeInfo);
        } catch {
          gone.push(id);
        }
      }
    });
    if (gone.length > 0) await this.redis.srem(this.index, ...gone).catch(() => 0);
    return live;
  }
}

export interface PresenceOptions {
  registry: NodeRegistry;
  /** The node's current entry (lastSeen is filled in here). */
  describe: () => Omit<NodeInfo, "lastSeen">;
  refreshMs: number;
  /** Entry TTL; a few refreshes long so one slow write doesn't drop the node. */
  ttlMs: number;
}

/** Keeps this node's registry entry fresh: on a timer, and soon after every job change. */
export class NodePresence {
  private readonly opts: PresenceOptions;
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private stopped = false;
  private failing = false;

  constructor(opts: PresenceOptions) {
    this.opts = opts;
  }

  async start(): Promise<void> {
    await this.announce();
    this.timer = setInterval(() => void this.announce(), this.opts.refreshMs);
    this.timer.unref();
  }

  /** Something changed (job started/finished/progressed): announce within ~100 ms, coalesced. */
  touch(): void {
    if (this.stopped || this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.announce();
    }, 100);
    this.pending.unref();
  }

  /** Leaves the registry (graceful shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.pending);
    await this.writing;
    await this.opts.registry.remove(this.opts.describe().nodeId).catch((err: unknown) => {
      log.warn("could not leave the node registry", { error: errorMessage(err) });
    });
  }

  private announce(): Promise<void> {
    if (this.stopped) return this.writing;
    // Serialised: an older entry must never overwrite a newer one.
    this.writing = this.writing.then(async () => {
      if (this.stopped) return;
      try {
        await this.opts.registry.announce(
          { ...this.opts.describe(), lastSeen: new Date().toISOString() },
          this.opts.ttlMs,
        );
        if (this.failing) log.info("node registry entry refreshed again");
        this.failing = false;
      } catch (err) {
        if (!this.failing) log.warn("node registry refresh failed", { error: errorMessage(err) });
        this.failing = true;
      }
    });
    return this.writing;
  }
}
