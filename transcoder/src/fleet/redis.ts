/**
 * The fleet's Redis connections (ioredis): one for commands (claims, registry, publish)
 * and one in subscriber mode for the cancel channel — a subscribed connection can run
 * nothing else. Commands fail fast while Redis is unreachable (a job submit answers 503
 * instead of hanging); connection errors are logged once per outage, not per retry.
 */
import { Redis } from "ioredis";
import { errorMessage, log } from "../log.ts";

export interface RedisConnections {
  commands: Redis;
  subscriber: Redis;
  close(): Promise<void>;
}

function watch(client: Redis, role: string): void {
  let down = false;
  client.on("error", (err: unknown) => {
    if (down) return;
    down = true;
    log.warn("redis connection error", { role, error: errorMessage(err) });
  });
  client.on("ready", () => {
    if (down) log.info("redis connection restored", { role });
    down = false;
  });
}

/** Connects both clients; rejects when Redis is unreachable at start (fail fast, not degrade). */
export async function connectRedis(url: string, nodeId: string): Promise<RedisConnections> {
  const commands = new Redis(url, {
    lazyConnect: true,
    connectionName: `streamline-transcoder:${nodeId}`,
    // A command waits for at most two reconnects, and no single command hangs the caller.
    maxRetriesPerRequest: 2,
    commandTimeout: 3000,
    connectTimeout: 5000,
  });
  watch(commands, "commands");
  const subscriber = commands.duplicate({
    connectionName: `streamline-transcoder:${nodeId}:sub`,
    // ioredis re-subscribes after a reconnect; a timeout would break the blocking subscription.
    commandTimeout: undefined,
    maxRetriesPerRequest: null,
  });
  watch(subscriber, "subscriber");
  try {
    await Promise.all([commands.connect(), subscriber.connect()]);
  } catch (err) {
    commands.disconnect();
    subscriber.disconnect();
    throw new Error(`cannot connect to REDIS_URL: ${errorMessage(err)}`);
  }
  return {
    commands,
    subscriber,
    async close() {
      await Promise.all(
        [commands, subscriber].map((c) =>
          c.quit().then(
            () => {},
            () => c.disconnect(),
          ),
        ),
      );
    },
  };
}
