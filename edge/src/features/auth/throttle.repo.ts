/**
 * D1 access for `auth_throttle`: per-key counters behind the sign-in delay and the signup
 * window (ADR 0005). Every decision is one atomic upsert, so concurrent requests cannot
 * both take the same slot.
 *
 *  - `login:<email>`: failed sign-ins. The first `freeFailures` attempts are free; after
 *    that an attempt may only start 2^k s after the previous one (k = failures − free,
 *    capped at `maxDelayMs`). An attempt is counted *before* its password is checked (so
 *    two racing requests cannot both use one slot); a success clears the row. The count is
 *    forgotten after `FAILURE_MEMORY_MS` of quiet.
 *  - `signup:<ip or /64>`: signups in a fixed window of `SIGNUP_WINDOW_MS`.
 * The cron deletes rows untouched for an hour.
 */
import { eq, lt, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { authThrottle } from "../../db/schema.ts";

/** Failures are forgotten after this long without another one. */
export const FAILURE_MEMORY_MS = 3600_000;
export const SIGNUP_WINDOW_MS = 3600_000;

export interface LoginPolicy {
  freeFailures: number;
  maxDelayMs: number;
}

export type Claim = { allowed: true } | { allowed: false; retryAfterMs: number };

/** The delay before the attempt after `failures` failures, in ms (SQL twin in `delaySql`). */
export function loginDelayMs(failures: number, policy: LoginPolicy): number {
  if (failures < policy.freeFailures) return 0;
  return Math.min(policy.maxDelayMs, 1000 * 2 ** Math.min(failures - policy.freeFailures, 30));
}

const delaySql = (policy: LoginPolicy) =>
  sql`min(${policy.maxDelayMs}, 1000 * (1 << min(${authThrottle.failures} - ${policy.freeFailures}, 30)))`;

export class ThrottleRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /** Takes the next sign-in slot for `key` (counting it as a failure until `clear`), or says how long to wait. */
  async claimLogin(key: string, policy: LoginPolicy, now: number): Promise<Claim> {
    const stale = sql`${now} - ${authThrottle.lastFailureAt} >= ${FAILURE_MEMORY_MS}`;
    const taken = await this.db
      .insert(authThrottle)
      .values({ key, failures: 1, firstFailureAt: now, lastFailureAt: now })
      .onConflictDoUpdate({
        target: authThrottle.key,
        set: {
          failures: sql`CASE WHEN ${stale} THEN 1 ELSE ${authThrottle.failures} + 1 END`,
          firstFailureAt: sql`CASE WHEN ${stale} THEN ${now} ELSE ${authThrottle.firstFailureAt} END`,
          lastFailureAt: now,
        },
        setWhere: sql`${stale} OR ${authThrottle.failures} < ${policy.freeFailures} OR ${now} >= ${authThrottle.lastFailureAt} + ${delaySql(policy)}`,
      })
      .returning({ failures: authThrottle.failures })
      .all();
    if (taken.length > 0) return { allowed: true };
    const row = await this.db.select().from(authThrottle).where(eq(authThrottle.key, key)).get();
    if (!row) return { allowed: true }; // cleared in between
    const retryAfterMs = row.lastFailureAt + loginDelayMs(row.failures, policy) - now;
    return retryAfterMs > 0 ? { allowed: false, retryAfterMs } : { allowed: true };
  }

  /** A failure that took no slot (a known device's wrong password): counted, never refused. */
  async recordFailure(key: string, now: number): Promise<void> {
    const stale = sql`${now} - ${authThrottle.lastFailureAt} >= ${FAILURE_MEMORY_MS}`;
    await this.db
      .insert(authThrottle)
      .values({ key, failures: 1, firstFailureAt: now, lastFailureAt: now })
      .onConflictDoUpdate({
        target: authThrottle.key,
        set: {
          failures: sql`CASE WHEN ${stale} THEN 1 ELSE ${authThrottle.failures} + 1 END`,
          firstFailureAt: sql`CASE WHEN ${stale} THEN ${now} ELSE ${authThrottle.firstFailureAt} END`,
          lastFailureAt: now,
        },
      })
      .run();
  }

  async clear(key: string): Promise<void> {
    await this.db.delete(authThrottle).where(eq(authThrottle.key, key)).run();
  }

  /** Counts one signup for `key` in its fixed window; returns the count so far and when the window ends. */
  async countSignup(key: string, now: number): Promise<{ count: number; windowEndsAt: number }> {
    const expired = sql`${now} - ${authThrottle.firstFailureAt} >= ${SIGNUP_WINDOW_MS}`;
    const [row] = await this.db
      .insert(authThrottle)
      .values({ key, failures: 1, firstFailureAt: now, lastFailureAt: now })
      .onConflictDoUpdate({
        target: authThrottle.key,
        set: {
          failures: sql`CASE WHEN ${expired} THEN 1 ELSE ${authThrottle.failures} + 1 END`,
          firstFailureAt: sql`CASE WHEN ${expired} THEN ${now} ELSE ${authThrottle.firstFailureAt} END`,
          lastFailureAt: now,
        },
      })
      .returning({ count: authThrottle.failures, since: authThrottle.firstFailureAt })
      .all();
    return { count: row!.count, windowEndsAt: row!.since + SIGNUP_WINDOW_MS };
  }

  /** The cron: rows untouched for longer than any window or memory. */
  async purge(now: number): Promise<void> {
    const horizon = now - Math.max(FAILURE_MEMORY_MS, SIGNUP_WINDOW_MS);
    await this.db.delete(authThrottle).where(lt(authThrottle.lastFailureAt, horizon)).run();
  }
}
