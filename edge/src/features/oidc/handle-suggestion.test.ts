import { describe, expect, it } from "vitest";
import { foldToHandle, handleBases, isValidHandle, numbered, suggestHandle } from "./handle-suggestion.ts";

describe("handle suggestions", () => {
  it("folds names to the handle alphabet: accents dropped, anything else one hyphen, trimmed to 30", () => {
    expect(foldToHandle("Ana Lima")).toBe("ana-lima");
    expect(foldToHandle("  Zoë  O'Brien ")).toBe("zoe-o-brien");
    expect(foldToHandle("François-Xavier Dupré")).toBe("francois-xavier-dupre");
    expect(foldToHandle("李小龍")).toBe("");
    expect(foldToHandle("a".repeat(40))).toHaveLength(30);
    expect(foldToHandle(`${"a".repeat(29)} b`)).toBe("a".repeat(29));
  });

  it("falls back to the address's local part (without +tags), then to `user`", () => {
    expect(handleBases("Ana Lima", "ana.l+video@example.com")).toEqual(["ana-lima", "ana-l"]);
    expect(handleBases("李小龍", "lee@example.com")).toEqual(["lee"]);
    expect(handleBases(null, null)).toEqual(["user"]);
  });

  it("numbers stay within 30 characters and end on the digits", () => {
    expect(numbered("ana-lima", 42)).toBe("ana-lima42");
    const long = numbered("a".repeat(30), 9999);
    expect(long).toHaveLength(30);
    expect(isValidHandle(long)).toBe(true);
    expect(numbered("abc-".padEnd(28, "-"), 7)).toBe("abc7");
  });

  it("suggests the first valid, free candidate; reserved and too-short ones are skipped", async () => {
    const taken = new Set(["ana-lima"]);
    const free = async (h: string) => !taken.has(h);
    expect(await suggestHandle("Ana Lima", "ana@example.com", free)).toBe("ana");
    expect(await suggestHandle("Admin", "admin@example.com", free, 1, () => 0.5)).toBe("admin5001");
    expect(await suggestHandle("Al", "al@example.com", free, 1, () => 0)).toBe("al2");
    expect(await suggestHandle("Ana Lima", null, async () => false)).toBeNull();
  });
});
