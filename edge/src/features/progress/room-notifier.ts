/** The edge's handle on a video's VideoRoom Durable Object. */
import type { WsMessage } from "@streamline/contracts";
import { LEASE_MS } from "./lease.ts";

export interface Room {
  /** Broadcast, and renew or release the attempt's lease in the same round trip. */
  publish(
    videoId: string,
    messages: WsMessage[],
    lease?: { action: "renew" | "release"; attemptId: string },
  ): Promise<void>;
  startLease(videoId: string, attemptId: string, attempt: number): Promise<void>;
  renewLease(videoId: string, attemptId: string): Promise<void>;
  releaseLease(videoId: string, attemptId: string): Promise<void>;
  close(videoId: string, reason: string): Promise<void>;
  /** The video lost viewers: close every watcher but the owner (close code 4403). */
  revoke(videoId: string, epoch: number): Promise<void>;
}

export function roomStub(env: Pick<Env, "VIDEO_ROOM">, videoId: string) {
  return env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));
}

/** `leaseMs`: JOB_LEASE_SECONDS from config (tests and e2e shorten it). */
export function roomNotifier(env: Pick<Env, "VIDEO_ROOM">, leaseMs = LEASE_MS): Room {
  return {
    publish: (videoId, messages, lease) =>
      roomStub(env, videoId).publish(videoId, messages, lease && { ...lease, ttlMs: leaseMs }),
    startLease: (videoId, attemptId, attempt) =>
      roomStub(env, videoId).startLease(videoId, attemptId, attempt, leaseMs),
    renewLease: (videoId, attemptId) => roomStub(env, videoId).renewLease(videoId, attemptId, leaseMs),
    releaseLease: (videoId, attemptId) => roomStub(env, videoId).releaseLease(videoId, attemptId),
    close: (videoId, reason) => roomStub(env, videoId).closeRoom(reason),
    revoke: (videoId, epoch) => roomStub(env, videoId).revokeAccess(epoch),
  };
}
