/// <reference types="node" />
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KNOWN_PLACEHOLDER_SECRETS, ServiceSecret, secretProblem } from "./service-secret.ts";

describe("secretProblem", () => {
  it("accepts generated secrets (hex, base64) and the test secrets", () => {
    for (let i = 0; i < 200; i++) {
      expect(secretProblem(randomBytes(16).toString("hex"))).toBeUndefined();
      expect(secretProblem(randomBytes(32).toString("hex"))).toBeUndefined();
      expect(secretProblem(randomBytes(24).toString("base64"))).toBeUndefined();
    }
    expect(secretProblem("test-transcoder-secret-012345678")).toBeUndefined();
  });

  it("refuses every known placeholder, in any case and padded to length", () => {
    for (const p of KNOWN_PLACEHOLDER_SECRETS) {
      expect(secretProblem(p)).toMatch(/placeholder/);
      expect(secretProblem(p.toUpperCase())).toMatch(/placeholder/);
    }
    expect(secretProblem("change-me-to-32-random-bytes-hex")).toMatch(/placeholder/);
    expect(secretProblem("please-replace-me-with-a-real-value-0000")).toMatch(/placeholder/);
    expect(secretProblem("my-example-secret-value-for-prod-1234")).toMatch(/placeholder/);
  });

  it("refuses short values and repeated or low-entropy patterns", () => {
    expect(secretProblem(randomBytes(15).toString("hex"))).toMatch(/at least 32/);
    expect(secretProblem("a".repeat(64))).toMatch(/low-entropy/);
    expect(secretProblem("ab".repeat(40))).toMatch(/low-entropy/);
    expect(secretProblem("0123456789abcdef".repeat(2))).toMatch(/low-entropy/);
    expect(secretProblem(`${"xyz".repeat(11)}x`)).toMatch(/low-entropy/);
    expect(secretProblem("aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcc")).toMatch(/low-entropy/);
  });

  it("ServiceSecret reports the problem as a zod issue", () => {
    expect(ServiceSecret.safeParse(randomBytes(32).toString("hex")).success).toBe(true);
    const bad = ServiceSecret.safeParse("secret");
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/placeholder/);
    expect(ServiceSecret.safeParse(undefined).error?.issues[0]?.message).toBe("is required");
  });
});
