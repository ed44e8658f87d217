import { describe, expect, it } from "vitest";
import { newViewerId, storedViewerId } from "./viewer-id.ts";

function memoryStorage(seed: Record<string, string> = {}) {
  const data = new Map(Object.entries(seed));
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
  };
}

describe("the embed's stored viewer id", () => {
  it("is 24 letters and digits, like the sl_viewer cookie, and differs each time", () => {
    const ids = new Set(Array.from({ length: 50 }, () => newViewerId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{24}$/);
  });

  it("is kept: the second load of the frame is the same viewer", () => {
    const storage = memoryStorage();
    const first = storedViewerId(() => storage);
    expect(storage.data.get("streamline.viewer")).toBe(first);
    expect(storedViewerId(() => storage)).toBe(first);
  });

  it("replaces a tampered value, and still works without storage", () => {
    const storage = memoryStorage({ "streamline.viewer": "<script>" });
    const id = storedViewerId(
      () => storage,
      () => "A".repeat(24),
    );
    expect(id).toBe("A".repeat(24));
    expect(storage.data.get("streamline.viewer")).toBe(id);
    const blocked = () => {
      throw new DOMException("denied", "SecurityError");
    };
    expect(storedViewerId(blocked, () => "B".repeat(24))).toBe("B".repeat(24));
    const full = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException("full", "QuotaExceededError");
      },
    };
    expect(
      storedViewerId(
        () => full,
        () => "C".repeat(24),
      ),
    ).toBe("C".repeat(24));
  });
});
