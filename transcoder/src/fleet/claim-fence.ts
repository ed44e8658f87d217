/**
 * The fence around a running job's claim while the claim store (Redis) cannot be reached
 * (ADR 0031). A claim is certainly this node's until `ttl` after the last extension the
 * store confirmed (the store's own expiry starts later than our "asked at" time). Past that,
 * another node may take it. So when extensions fail, the job is stopped a safety margin
 * before that point: a node that cannot prove it holds a job does not keep running it.
 * A successful extension disarms the fence; jobs that never extend are never fenced.
 */
export class ClaimFence {
  private readonly ttlMs: number;
  private readonly marginMs: number;
  private readonly onExpire: (silentMs: number) => void;
  private readonly now: () => number;
  private confirmedAt: number;
  private timer: NodeJS.Timeout | undefined;

  /** `claimedAt`: when the claim was asked for (before the store answered). */
  constructor(opts: {
    ttlMs: number;
    claimedAt: number;
    onExpire: (silentMs: number) => void;
    now?: () => number;
  }) {
    this.ttlMs = opts.ttlMs;
    // A fifth of the TTL: one missed heartbeat (TTL = 3 beats) is tolerated, two are not.
    this.marginMs = Math.ceil(opts.ttlMs / 5);
    this.onExpire = opts.onExpire;
    this.now = opts.now ?? Date.now;
    this.confirmedAt = opts.claimedAt;
  }

  /** The store confirmed an extension asked for at `askedAt`. */
  confirmed(askedAt: number): void {
    this.confirmedAt = Math.max(this.confirmedAt, askedAt);
    this.stop();
  }

  /** An extension failed (the store did not answer): arm the fence, once. */
  unconfirmed(): void {
    if (this.timer) return;
    const left = this.confirmedAt + this.ttlMs - this.marginMs - this.now();
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.onExpire(this.now() - this.confirmedAt);
      },
      Math.max(0, left),
    );
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
