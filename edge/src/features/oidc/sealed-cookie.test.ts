import { describe, expect, it } from "vitest";
import { z } from "zod";
import { seal, unseal } from "./sealed-cookie.ts";

const SECRET = "sealed-cookie-test-secret-0123456789abcdef";
const Payload = z.object({ state: z.string(), n: z.number() });

describe("sealed cookies", () => {
  it("round-trips a payload, unreadable without the key", async () => {
    const value = await seal(SECRET, "oidc-state", { state: "s3cret-state", n: 1 }, 600);
    expect(value).not.toContain("s3cret-state");
    expect(atob(value.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/"))).toContain('"dir"');
    expect(await unseal(SECRET, "oidc-state", value, Payload)).toMatchObject({ state: "s3cret-state", n: 1 });
  });

  it("refuses another purpose's value, another key, a tampered value, an expired one and a wrong shape", async () => {
    const now = Date.now();
    const value = await seal(SECRET, "oidc-state", { state: "x", n: 1 }, 600, now);
    expect(await unseal(SECRET, "oidc-pending", value, Payload)).toBeNull();
    expect(await unseal(`${SECRET}-other`, "oidc-state", value, Payload)).toBeNull();
    const parts = value.split(".");
    parts[3] = `${parts[3]!.slice(0, -2)}${parts[3]!.endsWith("AA") ? "BB" : "AA"}`;
    expect(await unseal(SECRET, "oidc-state", parts.join("."), Payload)).toBeNull();
    expect(await unseal(SECRET, "oidc-state", value, Payload, now + 601_000)).toBeNull();
    expect(await unseal(SECRET, "oidc-state", value, z.object({ other: z.string() }))).toBeNull();
    expect(await unseal(SECRET, "oidc-state", undefined, Payload)).toBeNull();
    expect(await unseal(SECRET, "oidc-state", "not.a.jwe", Payload)).toBeNull();
  });
});
