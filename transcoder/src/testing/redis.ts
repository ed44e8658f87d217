/**
 * Test helper: a real, throw-away `redis-server` on a free port (no persistence), with
 * the same availability rule as ffmpeg — missing under CI is an error, elsewhere the
 * Redis tests are skipped with a visible notice.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { connect, createServer } from "node:net";
import { Redis } from "ioredis";

export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? "redis-server";

/** True when redis-server can run; throws under CI when it cannot. */
export function redisServerAvailable(): boolean {
  const ok = spawnSync(REDIS_SERVER, ["--version"], { stdio: "ignore" }).status === 0;
  if (ok) return true;
  if (process.env.CI)
    throw new Error(`CI is set but ${REDIS_SERVER} is unavailable (apt-get install redis-server)`);
  console.warn(`\n[transcoder tests] SKIPPING Redis tests: ${REDIS_SERVER} not found\n`);
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface TestRedis {
  url: string;
  port: number;
  /** A new client (closed by `stop`). */
  client(): Redis;
  /** Stops the server (SIGKILL: an outage, its data gone, as without persistence). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server on `port`, listening when this resolves; `exited` settles when it ends. */
async function spawnRedis(port: number): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  // biome-ignore format: one flag/value pair per line
  const child: ChildProcess = spawn(REDIS_SERVER, [
    "--port", String(port),
    "--bind", "127.0.0.1",
    "--save", "",
    "--appendonly", "no",
  ], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server did not listen on ${port}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, exited };
}

async function end(server: { child: ChildProcess; exited: Promise<void> }, signal: NodeJS.Signals) {
  const { child, exited } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

export async function startTestRedis(): Promise<TestRedis> {
  const port = await freePort();
  let server = await spawnRedis(port);
  const clients: Redis[] = [];
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    client() {
      const c = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 1 });
      clients.push(c);
      return c;
    },
    kill: () => end(server, "SIGKILL"),
    async restart() {
      server = await spawnRedis(port);
    },
    async stop() {
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
      await end(server, "SIGTERM");
    },
  };
}
