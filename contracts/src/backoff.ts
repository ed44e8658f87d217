/**
 * The one retry-delay formula every package uses: exponential from `base`, capped at `cap`,
 * then spread by a random factor in `[jitter[0], jitter[1]]` so many clients retrying the
 * same thing don't come back in lockstep. Units are the caller's (ms or s).
 *
 * - `attempt` is 0-based: attempt 0 waits about `base`, attempt 1 about `2 × base`, …
 * - `jitter: [1, 1]` (the default) is no jitter; `[0.5, 1]` is "equal jitter" (half fixed,
 *   half random); `[0.8, 1.2]` is ±20 %.
 */
export interface BackoffPolicy {
  base: number;
  cap: number;
  jitter?: readonly [low: number, high: number];
}

export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.cap, policy.base * 2 ** Math.min(Math.max(0, attempt), 30));
  const [low, high] = policy.jitter ?? [1, 1];
  const r = low === high ? 0 : Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling * (low + (high - low) * r));
}
