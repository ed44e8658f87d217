import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.ts";

describe("backoffDelay", () => {
  it("doubles from base per attempt and stops at the cap (no jitter by default)", () => {
    const policy = { base: 100, cap: 1_000 };
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it("treats negative attempts as the first and survives huge ones without overflowing", () => {
    const policy = { base: 2, cap: 60 };
    expect(backoffDelay(-3, policy)).toBe(2);
    expect(backoffDelay(10_000, policy)).toBe(60);
    expect(Number.isFinite(backoffDelay(Number.MAX_SAFE_INTEGER, { base: 1, cap: Infinity }))).toBe(true);
  });

  it("spreads the delay over [low, high] × the ceiling with the given random source", () => {
    const policy = { base: 1_000, cap: 30_000, jitter: [0.5, 1] as const };
    expect(backoffDelay(0, policy, () => 0)).toBe(500);
    expect(backoffDelay(0, policy, () => 0.5)).toBe(750);
    expect(backoffDelay(0, policy, () => 1)).toBe(1_000);
    expect(backoffDelay(10, policy, () => 0)).toBe(15_000);
  });

  it("clamps a random source that strays outside [0, 1]", () => {
    const policy = { base: 100, cap: 100, jitter: [0.8, 1.2] as const };
    expect(backoffDelay(0, policy, () => -5)).toBe(80);
    expect(backoffDelay(0, policy, () => 7)).toBe(120);
  });

  it("does not call random when jitter is fixed, and rounds to whole units", () => {
    let calls = 0;
    const random = () => {
      calls++;
      return 0.3;
    };
    expect(backoffDelay(1, { base: 1.3, cap: 100, jitter: [1, 1] }, random)).toBe(3);
    expect(calls).toBe(0);
  });

  it("stays within its bounds for every attempt and random value", () => {
    const policy = { base: 250, cap: 8_000, jitter: [0.5, 1] as const };
    for (let attempt = 0; attempt < 40; attempt++) {
      for (const r of [0, 0.1, 0.49, 0.5, 0.99, 1]) {
        const ceiling = Math.min(8_000, 250 * 2 ** attempt);
        const d = backoffDelay(attempt, policy, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(ceiling * 0.5));
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
  });
});
