import { describe, expect, it } from "vitest";
import { clampTime, frameDuration, isTypingTarget, keyAction, keyBelongsToControl } from "./keymap.ts";

describe("player keyboard map (YouTube's)", () => {
  it("space and k toggle play; j/l ±10 s; arrows ±5 s and volume", () => {
    expect(keyAction({ key: " " }, false)).toEqual({ type: "toggle-play" });
    expect(keyAction({ key: "k" }, true)).toEqual({ type: "toggle-play" });
    expect(keyAction({ key: "K" }, true)).toEqual({ type: "toggle-play" });
    expect(keyAction({ key: "j" }, false)).toEqual({ type: "seek-by", seconds: -10 });
    expect(keyAction({ key: "l" }, false)).toEqual({ type: "seek-by", seconds: 10 });
    expect(keyAction({ key: "ArrowLeft" }, false)).toEqual({ type: "seek-by", seconds: -5 });
    expect(keyAction({ key: "ArrowRight" }, false)).toEqual({ type: "seek-by", seconds: 5 });
    expect(keyAction({ key: "ArrowUp" }, false)).toEqual({ type: "volume-by", delta: 0.05 });
    expect(keyAction({ key: "ArrowDown" }, false)).toEqual({ type: "volume-by", delta: -0.05 });
  });

  it("f, m, c, t toggle full screen, mute, captions, theater", () => {
    expect(keyAction({ key: "f" }, false)?.type).toBe("toggle-fullscreen");
    expect(keyAction({ key: "m" }, false)?.type).toBe("toggle-mute");
    expect(keyAction({ key: "c" }, false)?.type).toBe("toggle-captions");
    expect(keyAction({ key: "t" }, false)?.type).toBe("toggle-theater");
  });

  it("0–9 seek to 0–90 %", () => {
    expect(keyAction({ key: "0" }, false)).toEqual({ type: "seek-to-fraction", fraction: 0 });
    expect(keyAction({ key: "5" }, false)).toEqual({ type: "seek-to-fraction", fraction: 0.5 });
    expect(keyAction({ key: "9" }, false)).toEqual({ type: "seek-to-fraction", fraction: 0.9 });
  });

  it(", and . step one frame only while paused", () => {
    expect(keyAction({ key: "," }, true)).toEqual({ type: "frame-step", frames: -1 });
    expect(keyAction({ key: "." }, true)).toEqual({ type: "frame-step", frames: 1 });
    expect(keyAction({ key: "." }, false)).toBeNull();
    expect(keyAction({ key: "," }, false)).toBeNull();
  });

  it("< and > change speed", () => {
    expect(keyAction({ key: ">" }, false)).toEqual({ type: "speed-step", steps: 1 });
    expect(keyAction({ key: "<" }, false)).toEqual({ type: "speed-step", steps: -1 });
  });

  it("leaves keys with Ctrl, Alt or Meta, and unknown keys, to the browser", () => {
    expect(keyAction({ key: "f", ctrlKey: true }, false)).toBeNull();
    expect(keyAction({ key: "l", metaKey: true }, false)).toBeNull();
    expect(keyAction({ key: "k", altKey: true }, false)).toBeNull();
    expect(keyAction({ key: "x" }, false)).toBeNull();
    expect(keyAction({ key: "Tab" }, false)).toBeNull();
    expect(keyAction({ key: "Enter" }, false)).toBeNull();
  });

  it("never takes keys typed into a field", () => {
    const field = (tag: string, editable = false) =>
      ({
        isContentEditable: editable,
        closest: (sel: string) => (sel.includes(tag) ? {} : null),
      }) as unknown as EventTarget;
    expect(isTypingTarget(field("input"))).toBe(true);
    expect(isTypingTarget(field("textarea"))).toBe(true);
    expect(isTypingTarget(field("nothing", true))).toBe(true);
    expect(isTypingTarget(field("nothing"))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });

  it("leaves Space/Enter to a focused button and arrows to a focused slider or menu", () => {
    const el = (match: string) =>
      ({ closest: (sel: string) => (sel.includes(match) ? {} : null) }) as unknown as EventTarget;
    expect(keyBelongsToControl(" ", el("button"))).toBe(true);
    expect(keyBelongsToControl("Enter", el("menuitem"))).toBe(true);
    expect(keyBelongsToControl("ArrowLeft", el("slider"))).toBe(true);
    expect(keyBelongsToControl("ArrowUp", el("role='menu'"))).toBe(true);
    expect(keyBelongsToControl("k", el("button"))).toBe(false);
    expect(keyBelongsToControl("ArrowLeft", el("button"))).toBe(false);
    expect(keyBelongsToControl(" ", el("nothing"))).toBe(false);
  });

  it("frame length and seek clamping", () => {
    expect(frameDuration(undefined)).toBeCloseTo(1 / 30);
    expect(frameDuration(60)).toBeCloseTo(1 / 60);
    expect(frameDuration(0)).toBeCloseTo(1 / 30);
    expect(clampTime(-3, 100)).toBe(0);
    expect(clampTime(130, 100)).toBe(100);
    expect(clampTime(40, Number.NaN)).toBe(40);
  });
});
