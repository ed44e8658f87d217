import { spawn, spawnSync } from "node:child_process";
import { connect, createServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JobClaims, MemoryJobClaims, RedisJobClaims } from "./claims.ts";

function contract(name: string, make: () => JobClaims, advance: (ms: number) => Promise<void>) {
  describe(name, () => {
    it("one claim per job; the same attempt is recognised", async () => {
      const claims = make();
      expect(await claims.claim("job1", "attempt-a", 10_000)).toEqual({ ok: true });
      const again = await claims.claim("job1", "attempt-a", 10_000);
      expect(again).toMatchObject({ ok: false, sameAttempt: true, heldBy: "attempt-a" });
      const other = await claims.claim("job1", "attempt-b", 10_000);
      expect(other).toMatchObject({ ok: false, sameAttempt: false });
      if (!other.ok) expect(other.retryAfterMs).toBeGreaterThan(0);
    });

    it("only the owner extends or releases", async () => {
      const claims = make();
      await claims.claim("job2", "attempt-a", 10_000);
      expect(await claims.extend("job2", "attempt-b", 10_000)).toBe(false);
      await claims.release("job2", "attempt-b");
      expect((await claims.claim("job2", "attempt-b", 10_000)).ok).toBe(false);
      expect(await claims.extend("job2", "attempt-a", 10_000)).toBe(true);
      await claims.release("job2", "attempt-a");
      expect((await claims.claim("job2", "attempt-b", 10_000)).ok).toBe(true);
    });

    it("an expired claim (crashed node) can be taken over", async () => {
      const claims = make();
      await claims.claim("job3", "attempt-a", 50);
      await advance(120);
      expect((await claims.claim("job3", "attempt-b", 10_000)).ok).toBe(true);
      expect(await claims.extend("job3", "attempt-a", 10_000)).toBe(false);
    });
  });
}

let fakeNow = 0;
contract(
  "MemoryJobClaims",
  () => new MemoryJobClaims(() => fakeNow),
  async (ms) => {
    fakeNow += ms;
  },
);

const hasRedis = spawnSync("redis-server", ["--version"]).status === 0;
if (!hasRedis) console.warn("[transcoder tests] redis-server not installed: skipping RedisJobClaims tests");

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!hasRedis)("RedisJobClaims (real redis-server)", () => {
  let server: ReturnType<typeof spawn> | undefined;
  let port = 0;
  const clients: Redis[] = [];
  beforeAll(async () => {
    port = await freePort();
    server = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: "ignore",
      },
    );
    // Wait until redis-server accepts connections.
    for (let i = 0; i < 200; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const socket = connect(port, "127.0.0.1");
        socket.once("connect", () => {
          socket.destroy();
          resolve(true);
        });
        socket.once("error", () => resolve(false));
      });
      if (up) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => {})));
    server?.kill("SIGTERM");
  });
  contract(
    "contract",
    () => {
      const c = new Redis({ port, host: "127.0.0.1" });
      clients.push(c);
      return new RedisJobClaims(c, `test:${Math.random().toString(36).slice(2)}:`);
    },
    (ms) => new Promise((r) => setTimeout(r, ms)),
  );
});
