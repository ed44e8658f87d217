import { describe, expect, it } from "vitest";
import { constantTimeEqual, MAX_ITERATIONS, pbkdf2Hasher } from "./passwords.ts";

describe("PBKDF2 password hashes", () => {
  const hasher = pbkdf2Hasher();

  it("store scheme, iterations, a 16-byte salt and a 32-byte hash, salted per hash", async () => {
    const a = await hasher.hash("correct horse battery staple");
    const b = await hasher.hash("correct horse battery staple");
    expect(a).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it("verify the right password and refuse a wrong one", async () => {
    const stored = await hasher.hash("correct horse battery staple");
    expect(await hasher.verify(stored, "correct horse battery staple")).toEqual({
      ok: true,
      needsRehash: false,
    });
    expect(await hasher.verify(stored, "correct horse battery stapl")).toEqual({
      ok: false,
      needsRehash: false,
    });
    expect(await hasher.verify(stored, "")).toEqual({ ok: false, needsRehash: false });
  });

  it("keep verifying old hashes after the cost is raised, and ask for a rehash", async () => {
    const old = await pbkdf2Hasher(20_000).hash("correct horse battery staple");
    expect(old).toMatch(/^pbkdf2-sha256\$20000\$/);
    expect(await hasher.verify(old, "correct horse battery staple")).toEqual({ ok: true, needsRehash: true });
    expect(await hasher.verify(old, "wrong password here")).toEqual({ ok: false, needsRehash: false });
  });

  it("refuse malformed or tampered hashes without throwing", async () => {
    const stored = await hasher.hash("correct horse battery staple");
    const [scheme, iter, salt, hash] = stored.split("$");
    for (const bad of [
      "",
      "plain",
      `md5$${iter}$${salt}$${hash}`,
      `${scheme}$0$${salt}$${hash}`,
      `${scheme}$200000$${salt}$${hash}`,
      `${scheme}$${iter}$${salt}$`,
      `${scheme}$${iter}$${salt}$${hash}$extra`,
      `${scheme}$${iter}$!!$${hash}`,
      `${scheme}$99999$${salt}$${hash}`,
    ]) {
      expect((await hasher.verify(bad, "correct horse battery staple")).ok, bad).toBe(false);
    }
  });

  it("do the same work for unknown accounts and always fail", async () => {
    expect(await hasher.verifyDummy("anything at all")).toEqual({ ok: false, needsRehash: false });
  });

  it("refuse a cost above what Workers allow", () => {
    expect(() => pbkdf2Hasher(MAX_ITERATIONS + 1)).toThrow(/100000/);
    expect(() => pbkdf2Hasher(0)).toThrow();
  });
});

describe("constantTimeEqual", () => {
  it("compares contents and lengths", () => {
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([]), new Uint8Array([]))).toBe(true);
  });
});
