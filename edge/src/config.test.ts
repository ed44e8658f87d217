import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

/** A fresh env object each time (loadConfig caches per env object). */
const withVars = (vars: Record<string, string>) => ({ ...env, ...vars }) as Env;

describe("loadConfig secret checks", () => {
  it("a missing secret is named too", () => {
    const { JWT_SECRET: _gone, ...rest } = env as unknown as Record<string, unknown>;
    expect(() => loadConfig({ ...rest } as unknown as Env)).toThrow(/JWT_SECRET: is required/);
  });

  it("accepts the test Worker's secrets", () => {
    expect(loadConfig(withVars({})).TRANSCODER_SECRET).toBe(env.TRANSCODER_SECRET);
  });

  it.each([
    ["the .dev.vars.example value", "change-me-to-32-random-bytes-hex"],
    ["docker-compose's MinIO password", "streamline-dev-secret"],
    ["changeme padded past 32 characters", "changeme-changeme-changeme-changeme"],
    ["a repeated character", "x".repeat(64)],
    ["a repeated short pattern", "ab".repeat(32)],
    ["fewer than 32 characters", "Zq8vN3kR7tW1yB5mC9dF2h"],
  ])("refuses %s, naming the variable", (_label, value) => {
    for (const name of ["JWT_SECRET", "DELIVERY_SECRET", "TRANSCODER_SECRET"]) {
      expect(() => loadConfig(withVars({ [name]: value }))).toThrow(new RegExp(`${name}: `));
      // The message names the variable and the reason, never the value.
      expect(() => loadConfig(withVars({ [name]: value }))).not.toThrow(value);
    }
  });
});
