/**
 * Cancel signal for running jobs (a video deleted mid-transcode). Any node can receive
 * the edge's cancel; the node running the job must act on it. Redis: a tombstone key
 * (`${prefix}cancelled:${jobId}`, so a redelivery that arrives after the cancel is refused
 * too) and a PUBLISH on `${prefix}cancel`, which every node is SUBSCRIBEd to. In memory:
 * the same, for this one node.
 */
import type { Redis } from "ioredis";
import { z } from "zod";
import { log } from "../log.ts";

export const CancelRequest = z.object({
  jobId: z.string().min(1).max(64),
  videoId: z.string().min(1).max(64),
  reason: z.string().trim().min(1).max(500),
});
export type CancelRequest = z.infer<typeof CancelRequest>;

/** A cancel as it travels between nodes. */
export interface CancelMessage extends CancelRequest {
  /** The node that received the edge's request. */
  from: string;
}
const CancelMessageSchema = CancelRequest.extend({ from: z.string() });

export type CancelHandler = (message: CancelMessage) => void;

export interface CancelBus {
  /** Records the tombstone and tells every node (this one included). */
  publish(message: CancelMessage): Promise<{ receivers: number }>;
  /** Every cancel published by any node from now on. */
  subscribe(handler: CancelHandler): Promise<void>;
  /** Whether `jobId` was cancelled within the tombstone TTL. */
  isCancelled(jobId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Long enough to outlive any queue redelivery of a cancelled job. */
export const TOMBSTONE_TTL_MS = 60 * 60 * 1000;

export class MemoryCancelBus implements CancelBus {
  private readonly handlers = new Set<CancelHandler>();
  private readonly tombstones = new Map<string, number>();
  private readonly now: () => number;
  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  async publish(message: CancelMessage) {
    this.tombstones.set(message.jobId, this.now() + TOMBSTONE_TTL_MS);
    for (const handler of this.handlers) handler(message);
    return { receivers: this.handlers.size };
  }

  async subscribe(handler: CancelHandler) {
    this.handlers.add(handler);
  }

  async isCancelled(jobId: string) {
    const until = this.tombstones.get(jobId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.tombstones.delete(jobId);
    return false;
  }

  async close() {
    this.handlers.clear();
  }
}

export class RedisCancelBus implements CancelBus {
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly tombstonePrefix: string;
  private readonly handlers = new Set<CancelHandler>();
  private listening = false;

  constructor(commands: Redis, subscriber: Redis, prefix = "streamline:") {
    this.commands = commands;
    this.subscriber = subscriber;
    this.channel = `${prefix}cancel`;
    this.tombstonePrefix = `${prefix}cancelled:`;
  }

  async publish(message: CancelMessage) {
    // Tombstone first: a node that checks it after this point refuses the job, a node that
    // checked before has the job registered already and gets the message.
    const results = await this.commands
      .multi()
      .set(this.tombstonePrefix + message.jobId, message.reason, "PX", TOMBSTONE_TTL_MS)
      .publish(this.channel, JSON.stringify(message))
      .exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error("cancel transaction aborted");
    return { receivers: Number(results[1]?.[1] ?? 0) };
  }

  async subscribe(handler: CancelHandler) {
    this.handlers.add(handler);
    if (this.listening) return;
    this.listening = true;
    this.subscriber.on("message", (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      let parsed: ReturnType<typeof CancelMessageSchema.safeParse>;
      try {
        parsed = CancelMessageSchema.safeParse(JSON.parse(raw));
      } catch {
        parsed = CancelMessageSchema.safeParse(undefined);
      }
      if (!parsed.success) {
        log.warn("ignoring malformed cancel message", { channel });
        return;
      }
      for (const h of this.handlers) h(parsed.data);
    });
    await this.subscriber.subscribe(this.channel);
  }

  async isCancelled(jobId: string) {
    return (await this.commands.exists(this.tombstonePrefix + jobId)) === 1;
  }

  async close() {
    this.handlers.clear();
    if (this.listening) await this.subscriber.unsubscribe(this.channel).catch(() => {});
  }
}
