/**
 * Job claims: at-least-once delivery must never run the same job twice at once.
 * A claim is keyed by jobId and owned by one attemptId, with a TTL the heartbeat
 * extends; a crashed node's claim simply expires.
 *
 * Two implementations of one interface (DESIGN "Redis"): in memory (one node, default)
 * and Redis (`SET NX PX` + compare-and-set scripts) when REDIS_URL is set.
 */
import type { Redis } from "ioredis";

export type ClaimResult =
  | { ok: true }
  /** `sameAttempt`: this exact attempt is already running (a redelivery). */
  | { ok: false; heldBy: string; sameAttempt: boolean; retryAfterMs: number };

export interface JobClaims {
  claim(jobId: string, attemptId: string, ttlMs: number): Promise<ClaimResult>;
  /** false when the claim was lost (expired and taken by someone else). */
  extend(jobId: string, attemptId: string, ttlMs: number): Promise<boolean>;
  /** Releases only if `attemptId` still owns the claim. */
  release(jobId: string, attemptId: string): Promise<void>;
  close(): Promise<void>;
}

export class MemoryJobClaims implements JobClaims {
  private readonly claims = new Map<string, { attemptId: string; expiresAt: number }>();
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

  async claim(jobId: string, attemptId: string, ttlMs: number): Promise<ClaimResult> {
    const held = this.live(jobId);
    if (held) {
      return {
        ok: false,
        heldBy: held.attemptId,
        sameAttempt: held.attemptId === attemptId,
        retryAfterMs: held.expiresAt - this.now(),
      };
    }
    this.claims.set(jobId, { attemptId, expiresAt: this.now() + ttlMs });
    return { ok: true };
  }

  async extend(jobId: string, attemptId: string, ttlMs: number): Promise<boolean> {
    const held = this.live(jobId);
    if (!held || held.attemptId !== attemptId) return false;
    held.expiresAt = this.now() + ttlMs;
    return true;
  }

  async release(jobId: string, attemptId: string): Promise<void> {
    if (this.live(jobId)?.attemptId === attemptId) this.claims.delete(jobId);
  }

  async close(): Promise<void> {
    this.claims.clear();
  }
}

// Compare-and-set in Lua: only the owner may extend or release.
const EXTEND = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export class RedisJobClaims implements JobClaims {
  private readonly redis: Redis;
  private readonly prefix: string;
  constructor(redis: Redis, prefix = "streamline:claim:") {
    this.redis = redis;
    this.prefix = prefix;
  }

  async claim(jobId: string, attemptId: string, ttlMs: number): Promise<ClaimResult> {
    const key = this.prefix + jobId;
    const set = await this.redis.set(key, attemptId, "PX", ttlMs, "NX");
    if (set === "OK") return { ok: true };
    const [holder, pttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
    // Expired between SET and GET: try once more rather than report a phantom holder.
    if (holder === null) return this.claimOnce(key, attemptId, ttlMs);
    return { ok: false, heldBy: holder, sameAttempt: holder === attemptId, retryAfterMs: Math.max(0, pttl) };
  }

  private async claimOnce(key: string, attemptId: string, ttlMs: number): Promise<ClaimResult> {
    const set = await this.redis.set(key, attemptId, "PX", ttlMs, "NX");
    return set === "OK"
      ? { ok: true }
      : { ok: false, heldBy: "unknown", sameAttempt: false, retryAfterMs: ttlMs };
  }

  async extend(jobId: string, attemptId: string, ttlMs: number): Promise<boolean> {
    const r = await this.redis.eval(EXTEND, 1, this.prefix + jobId, attemptId, String(ttlMs));
    return r === 1;
  }

  async release(jobId: string, attemptId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + jobId, attemptId);
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
