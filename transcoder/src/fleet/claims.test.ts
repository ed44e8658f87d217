import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisServerAvailable, startTestRedis, type TestRedis } from "../testing/redis.ts";
import { type ClaimOwner, type JobClaims, MemoryJobClaims, RedisJobClaims } from "./claims.ts";

const A: ClaimOwner = { nodeId: "node-a", attemptId: "attempt-1" };
const A2: ClaimOwner = { nodeId: "node-a", attemptId: "attempt-2" };
const B: ClaimOwner = { nodeId: "node-b", attemptId: "attempt-1" };
const B2: ClaimOwner = { nodeId: "node-b", attemptId: "attempt-2" };

/**
 * The contract both implementations keep. `make(n)` returns the n-th node's view of one
 * shared claim store (separate connections for Redis, the same map in memory).
 */
function contract(
  name: string,
  make: () => (node: number) => JobClaims,
  advance: (ms: number) => Promise<void>,
) {
  describe(name, () => {
    it("one claim per job across nodes; the same attempt is recognised as a redelivery", async () => {
      const node = make();
      expect(await node(1).claim("job1", A, 10_000)).toEqual({ ok: true });
      const again = await node(2).claim("job1", B, 10_000);
      expect(again).toMatchObject({ ok: false, sameAttempt: true, holder: A });
      const other = await node(2).claim("job1", B2, 10_000);
      expect(other).toMatchObject({ ok: false, sameAttempt: false, holder: A });
      if (!other.ok) expect(other.retryAfterMs).toBeGreaterThan(9_000);
      expect(await node(2).holder("job1")).toMatchObject({ owner: A });
    });

    it("only the owner (node and attempt) extends or releases", async () => {
      const node = make();
      await node(1).claim("job2", A, 10_000);
      expect(await node(2).extend("job2", B, 10_000)).toBe(false);
      expect(await node(1).extend("job2", A2, 10_000)).toBe(false);
      await node(2).release("job2", B);
      expect((await node(2).claim("job2", B2, 10_000)).ok).toBe(false);
      expect(await node(1).extend("job2", A, 10_000)).toBe(true);
      await node(1).release("job2", A);
      expect(await node(1).holder("job2")).toBeNull();
      expect((await node(2).claim("job2", B2, 10_000)).ok).toBe(true);
    });

    it("a crashed holder releases nothing: the claim lives out its TTL, then a new attempt takes it", async () => {
      const node = make();
      await node(1).claim("job3", A, 300);
      // Node 1 dies: no extend, no release.
      await advance(150);
      expect(await node(2).claim("job3", B2, 10_000)).toMatchObject({ ok: false, sameAttempt: false });
      await advance(250);
      expect(await node(2).claim("job3", B2, 10_000)).toEqual({ ok: true });
      expect(await node(1).extend("job3", A, 10_000)).toBe(false);
      await node(1).release("job3", A);
      expect(await node(2).holder("job3")).toMatchObject({ owner: B2 });
    });

    it("extension keeps a claim alive past its original TTL", async () => {
      const node = make();
      await node(1).claim("job4", A, 300);
      for (let i = 0; i < 3; i++) {
        await advance(150);
        expect(await node(1).extend("job4", A, 300)).toBe(true);
      }
      expect((await node(2).claim("job4", B2, 10_000)).ok).toBe(false);
    });

    it("a claim the store lost is taken back by its owner's extension, never by anyone else's (ADR 0031)", async () => {
      const node = make();
      await node(1).claim("job5", A, 300);
      // Gone from the store (a Redis restarted without its data; here: lapsed, nobody took it).
      await advance(400);
      expect(await node(1).holder("job5")).toBeNull();
      expect(await node(1).extend("job5", A, 300)).toBe(true);
      expect(await node(2).holder("job5")).toMatchObject({ owner: A });
      expect(await node(2).claim("job5", B2, 10_000)).toMatchObject({ ok: false, sameAttempt: false });
      expect(await node(2).extend("job5", B2, 10_000)).toBe(false);
    });
  });
}

let fakeNow = 0;
contract(
  "MemoryJobClaims",
  () => {
    const shared = new MemoryJobClaims(() => fakeNow);
    return () => shared;
  },
  async (ms) => {
    fakeNow += ms;
  },
);

const hasRedis = redisServerAvailable();

describe.skipIf(!hasRedis)("RedisJobClaims (real redis-server)", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  contract(
    "contract",
    () => {
      const prefix = `test:${Math.random().toString(36).slice(2)}:`;
      const nodes = new Map<number, JobClaims>();
      return (n) => {
        let claims = nodes.get(n);
        if (!claims) {
          claims = new RedisJobClaims(redis.client(), prefix);
          nodes.set(n, claims);
        }
        return claims;
      };
    },
    (ms) => new Promise((r) => setTimeout(r, ms)),
  );

  it("stores the owner as JSON under <prefix>claim:<jobId> with a PX TTL", async () => {
    const c = redis.client();
    await new RedisJobClaims(c, "raw:").claim("job9", A, 5000);
    expect(JSON.parse((await c.get("raw:claim:job9")) ?? "null")).toEqual({
      node: "node-a",
      attempt: "attempt-1",
    });
    const ttl = await c.pttl("raw:claim:job9");
    expect(ttl).toBeGreaterThan(4000);
    expect(ttl).toBeLessThanOrEqual(5000);
  });
});
