/**
 * The fleet backend a node runs against: job claims, the cancel bus and the node
 * registry — all in Redis when REDIS_URL is set (a real fleet), all in memory otherwise
 * (one node). Same interfaces either way (DESIGN "Redis (transcoder fleet)").
 */

import { type CancelBus, MemoryCancelBus, RedisCancelBus } from "./cancel-bus.ts";
import { type JobClaims, MemoryJobClaims, RedisJobClaims } from "./claims.ts";
import { connectRedis } from "./redis.ts";
import { MemoryNodeRegistry, type NodeRegistry, RedisNodeRegistry } from "./registry.ts";

export interface Fleet {
  backend: "redis" | "memory";
  claims: JobClaims;
  cancels: CancelBus;
  registry: NodeRegistry;
  close(): Promise<void>;
}

export interface FleetOptions {
  redisUrl?: string | undefined;
  /** Key/channel namespace in Redis (several deployments can share one server). */
  prefix: string;
  nodeId: string;
}

export async function connectFleet(opts: FleetOptions): Promise<Fleet> {
  if (!opts.redisUrl) {
    const cancels = new MemoryCancelBus();
    return {
      backend: "memory",
      claims: new MemoryJobClaims(),
      cancels,
      registry: new MemoryNodeRegistry(),
      close: () => cancels.close(),
    };
  }
  const redis = await connectRedis(opts.redisUrl, opts.nodeId);
  const cancels = new RedisCancelBus(redis.commands, redis.subscriber, opts.prefix);
  return {
    backend: "redis",
    claims: new RedisJobClaims(redis.commands, opts.prefix),
    cancels,
    registry: new RedisNodeRegistry(redis.commands, opts.prefix),
    async close() {
      await cancels.close();
      await redis.close();
    },
  };
}
