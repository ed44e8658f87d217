import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ClaimFence } from "./claim-fence.ts";

describe("ClaimFence (ADR 0031)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const fence = (onExpire: (ms: number) => void) =>
    new ClaimFence({ ttlMs: 1500, claimedAt: 0, onExpire, now: () => Date.now() });

  it("stops the job a fifth of the TTL before an unconfirmed claim could expire", () => {
    const expired = vi.fn();
    const f = fence(expired);
    vi.advanceTimersByTime(500);
    f.unconfirmed(); // the first heartbeat's extension failed
    vi.advanceTimersByTime(699);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledWith(1200);
  });

  it("a confirmed extension disarms it and moves the window", () => {
    const expired = vi.fn();
    const f = fence(expired);
    vi.advanceTimersByTime(500);
    f.unconfirmed();
    vi.advanceTimersByTime(500);
    f.confirmed(1000); // Redis answered again
    vi.advanceTimersByTime(5000);
    expect(expired).not.toHaveBeenCalled();
    f.unconfirmed(); // at 6000: the window runs from 1000, so it is already past
    vi.advanceTimersByTime(0);
    expect(expired).toHaveBeenCalledWith(5000);
  });

  it("repeated failures arm it once; stop() disarms it", () => {
    const expired = vi.fn();
    const f = fence(expired);
    f.unconfirmed();
    f.unconfirmed();
    f.stop();
    vi.advanceTimersByTime(10_000);
    expect(expired).not.toHaveBeenCalled();
  });
});
