import { describe, expect, it } from "vitest";
import {
  COUNTDOWN_SECONDS,
  type CountdownEvent,
  type CountdownState,
  countdownReducer,
  initialCountdown,
} from "./autoplay-countdown.ts";

const run = (events: CountdownEvent[], from: CountdownState = initialCountdown) =>
  events.reduce(countdownReducer, from);
const ended = (autoplay = true, nextId: string | null = "v_next000000000000"): CountdownEvent => ({
  type: "ended",
  autoplay,
  nextId,
});
const ticks = (n: number): CountdownEvent[] => Array.from({ length: n }, () => ({ type: "tick" }));

describe("autoplay countdown", () => {
  it("counts down from 5 on ended and goes to the next video after the last tick", () => {
    expect(run([ended()])).toEqual({
      phase: "counting",
      remaining: COUNTDOWN_SECONDS,
      nextId: "v_next000000000000",
    });
    expect(run([ended(), ...ticks(4)])).toMatchObject({ phase: "counting", remaining: 1 });
    expect(run([ended(), ...ticks(5)])).toEqual({ phase: "going", nextId: "v_next000000000000" });
  });

  it("does nothing with autoplay off or nothing up next", () => {
    expect(run([ended(false), ...ticks(6)])).toEqual(initialCountdown);
    expect(run([ended(true, null), ...ticks(6)])).toEqual(initialCountdown);
  });

  it("cancel stops it for good; ticks after a cancel go nowhere", () => {
    expect(run([ended(), ...ticks(2), { type: "cancel" }, ...ticks(10)])).toEqual({ phase: "cancelled" });
  });

  it("play now goes at once", () => {
    expect(run([ended(), { type: "play-now" }])).toMatchObject({ phase: "going" });
  });

  it("playing again resets, and the next ending counts down afresh", () => {
    const again = run([ended(), ...ticks(3), { type: "resumed" }]);
    expect(again).toEqual(initialCountdown);
    expect(run([ended()], again)).toMatchObject({ phase: "counting", remaining: COUNTDOWN_SECONDS });
    expect(run([ended(), { type: "cancel" }, { type: "resumed" }, ended()])).toMatchObject({
      phase: "counting",
    });
  });

  it("once going, nothing changes its mind", () => {
    const going = run([ended(), { type: "play-now" }]);
    expect(run([{ type: "cancel" }, { type: "resumed" }, ended(), ...ticks(3)], going)).toEqual(going);
  });
});
