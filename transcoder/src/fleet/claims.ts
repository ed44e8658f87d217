/**
 * Job claims: at-least-once delivery must never run the same job twice at once.
 *
 * A claim is keyed by the job's `jobId` (stable across attempts) and owned by one
 * `{ nodeId, attemptId }`, with a TTL the runner extends on every heartbeat (TTL ≈ 3
 * heartbeats). A node that crashes releases nothing: its claim expires after the TTL,
 * and only then can a new attempt of the job (sent by the edge's lease alarm) start.
 *
 * Two implementations of one interface (DESIGN "Redis"): in memory (one node, default)
 * and Redis (`SET key owner NX PX ttl`, plus Lua compare-and-extend / compare-and-delete
 * so a node only ever touches its own claim) when REDIS_URL is set.
 */
import type { Redis } from "ioredis";

export interface ClaimOwner {
  nodeId: string;
  attemptId: string;
}

export type ClaimResult =
  | { ok: true }
  /** `sameAttempt`: this exact attempt is already running (a redelivery: ack it). */
  | { ok: false; holder: ClaimOwner; sameAttempt: boolean; retryAfterMs: number };

export interface JobClaims {
  claim(jobId: string, owner: ClaimOwner, ttlMs: number): Promise<ClaimResult>;
  /**
   * Keeps the claim for another `ttlMs`. If the claim is gone but nobody else holds it (a
   * Redis that restarted without its data), takes it again: the runner only extends while
   * the claim is provably still its own (ClaimFence, ADR 0031). false when another owner
   * holds it now.
   */
  extend(jobId: string, owner: ClaimOwner, ttlMs: number): Promise<boolean>;
  /** Releases only if `owner` still holds the claim. */
  release(jobId: string, owner: ClaimOwner): Promise<void>;
  /** Current holder and remaining TTL, or null (observability and tests). */
  holder(jobId: string): Promise<{ owner: ClaimOwner; ttlMs: number } | null>;
}

const sameOwner = (a: ClaimOwner, b: ClaimOwner) => a.nodeId === b.nodeId && a.attemptId === b.attemptId;

export class MemoryJobClaims implements JobClaims {
  private readonly claims = new Map<string, { owner: ClaimOwner; expiresAt: number }>();
  private readonly now: () => number;
  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  private live(jobId: string) {
    const c = this.claims.get(jobId);
    if (c && c.expiresAt <= this.now()) {
      this.claims.delete(jobId);
      return undefined;
    }
    return c;
  }

  async claim(jobId: string, owner: ClaimOwner, ttlMs: number): Promise<ClaimResult> {
    const held = this.live(jobId);
    if (held) {
      return {
        ok: false,
        holder: { ...held.owner },
        sameAttempt: held.owner.attemptId === owner.attemptId,
        retryAfterMs: held.expiresAt - this.now(),
      };
    }
    this.claims.set(jobId, { owner: { ...owner }, expiresAt: this.now() + ttlMs });
    return { ok: true };
  }

  async extend(jobId: string, owner: ClaimOwner, ttlMs: number): Promise<boolean> {
    const held = this.live(jobId);
    if (!held) {
      this.claims.set(jobId, { owner: { ...owner }, expiresAt: this.now() + ttlMs });
      return true;
    }
    if (!sameOwner(held.owner, owner)) return false;
    held.expiresAt = this.now() + ttlMs;
    return true;
  }

  async release(jobId: string, owner: ClaimOwner): Promise<void> {
    const held = this.live(jobId);
    if (held && sameOwner(held.owner, owner)) this.claims.delete(jobId);
  }

  async holder(jobId: string) {
    const held = this.live(jobId);
    return held ? { owner: { ...held.owner }, ttlMs: held.expiresAt - this.now() } : null;
  }
}

/**
 * Atomic claim: SET NX PX, or the current holder and its PTTL in the same round trip (no
 * window in which the key expires between a failed SET and the GET).
 */
const CLAIM = `
if redis.call("set", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return {1} end
return {0, redis.call("get", KEYS[1]), redis.call("pttl", KEYS[1])}`;
// Compare-and-set: only the owner may extend or release; a vanished claim is taken back.
const EXTEND = `
local held = redis.call("get", KEYS[1])
if held == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) end
if not held then redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2]); return 2 end
return 0`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

/** The value stored under a claim key: exact bytes matter, the Lua scripts compare them. */
export function encodeOwner(owner: ClaimOwner): string {
  return JSON.stringify({ node: owner.nodeId, attempt: owner.attemptId });
}

export function decodeOwner(raw: string): ClaimOwner {
  try {
    const v = JSON.parse(raw) as { node?: unknown; attempt?: unknown };
    if (typeof v.node === "string" && typeof v.attempt === "string") {
      return { nodeId: v.node, attemptId: v.attempt };
    }
  } catch {}
  return { nodeId: "unknown", attemptId: raw };
}

export class RedisJobClaims implements JobClaims {
  private readonly redis: Redis;
  private readonly prefix: string;
  /** `prefix` namespaces the keys: `${prefix}claim:${jobId}`. */
  constructor(redis: Redis, prefix = "streamline:") {
    this.redis = redis;
    this.prefix = `${prefix}claim:`;
  }

  async claim(jobId: string, owner: ClaimOwner, ttlMs: number): Promise<ClaimResult> {
    const reply = (await this.redis.eval(
      CLAIM,
      1,
      this.prefix + jobId,
      encodeOwner(owner),
      String(ttlMs),
    )) as [number, string?, number?];
    if (reply[0] === 1) return { ok: true };
    const holder = decodeOwner(reply[1] ?? "");
    return {
      ok: false,
      holder,
      sameAttempt: holder.attemptId === owner.attemptId,
      retryAfterMs: Math.max(0, reply[2] ?? ttlMs),
    };
  }

  async extend(jobId: string, owner: ClaimOwner, ttlMs: number): Promise<boolean> {
    const r = await this.redis.eval(EXTEND, 1, this.prefix + jobId, encodeOwner(owner), String(ttlMs));
    return r === 1 || r === 2;
  }

  async release(jobId: string, owner: ClaimOwner): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + jobId, encodeOwner(owner));
  }

  async holder(jobId: string) {
    const [raw, ttl] = await Promise.all([
      this.redis.get(this.prefix + jobId),
      this.redis.pttl(this.prefix + jobId),
    ]);
    return raw === null ? null : { owner: decodeOwner(raw), ttlMs: Math.max(0, ttl) };
  }
}
