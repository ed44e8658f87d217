import { describe, expect, it } from "vitest";
import { av01FromInit, avc1FromInit, hvc1FromInit, videoCodecFromInit } from "./codecs.ts";

const box = (type: string, payload: number[]) =>
  new Uint8Array([0, 0, 0, 8 + payload.length, ...Buffer.from(type, "latin1"), ...payload]);

describe("codec strings from init segments", () => {
  it("avcC → avc1.PPCCLL", () => {
    expect(avc1FromInit(box("avcC", [1, 0x64, 0x00, 0x1f, 0xff]))).toBe("avc1.64001f");
  });
  it("hvcC → hvc1.<profile>.<compat reversed>.<tier+level>.<constraints> (bytes x265 wrote)", () => {
    // Main, compat flags 0x60000000, constraints 0x90, level 63 (2.1) — from a real x265 init.
    const hvcc = [0x01, 0x01, 0x60, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f];
    expect(hvc1FromInit(box("hvcC", hvcc))).toBe("hvc1.1.6.L63.90");
    const main10High = [0x01, 0x22, 0x20, 0x00, 0x00, 0x00, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x99];
    expect(hvc1FromInit(box("hvcC", main10High))).toBe("hvc1.2.4.H153.B0");
  });
  it("av1C → av01.P.LLT.DD", () => {
    expect(av01FromInit(box("av1C", [0x81, 0x01, 0x0d, 0x00]))).toBe("av01.0.01M.08");
    expect(av01FromInit(box("av1C", [0x81, 0x08, 0xcd, 0x00]))).toBe("av01.0.08H.10");
  });
  it("whichever box is present", () => {
    expect(videoCodecFromInit(box("av1C", [0x81, 0x08, 0x0d, 0x00]))).toBe("av01.0.08M.08");
    expect(videoCodecFromInit(new Uint8Array(16))).toBeNull();
  });
});
