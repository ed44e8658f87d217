import { readFileSync } from "node:fs";
import { join } from "node:path";
import { secretProblem } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { DEV_SECRETS, parseDevVars, withFreshSecrets } from "./dev-vars.ts";

const EXAMPLE = readFileSync(join(import.meta.dirname, "../../.dev.vars.example"), "utf8");

describe(".dev.vars secrets", () => {
  it("a fresh copy of .dev.vars.example gets three distinct random secrets that pass the checks", () => {
    const { text, replaced } = withFreshSecrets(EXAMPLE);
    expect(replaced).toEqual([...DEV_SECRETS]);
    const vars = parseDevVars(text);
    const values = DEV_SECRETS.map((name) => vars[name]!);
    for (const v of values) expect(secretProblem(v)).toBeUndefined();
    expect(new Set(values).size).toBe(3);
    expect(vars.S3_ACCESS_KEY_ID).toBe("S3RVER"); // everything else is kept
  });

  it("replaces a placeholder or weak value left in an existing .dev.vars and keeps good ones", () => {
    const good = "4d9c1e7a2b8f3065a1c9e4d7b2f8a3c6";
    const old = [
      "JWT_SECRET=streamline-dev-secret-padded-to-32-chars",
      `DELIVERY_SECRET=${good}`,
      "TRANSCODER_SECRET=0123456789abcdef", // passed the old 16-character check
      "EXTRA=kept",
    ].join("\n");
    const { text, replaced } = withFreshSecrets(old, () => "9e8f7a6b0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    expect(replaced).toEqual(["JWT_SECRET", "TRANSCODER_SECRET"]);
    expect(parseDevVars(text)).toMatchObject({ DELIVERY_SECRET: good, EXTRA: "kept" });
  });

  it("appends a secret that is missing, and leaves a good file untouched", () => {
    const { text, replaced } = withFreshSecrets("S3_ACCESS_KEY_ID=S3RVER");
    expect(replaced).toEqual([...DEV_SECRETS]);
    expect(Object.keys(parseDevVars(text))).toEqual(["S3_ACCESS_KEY_ID", ...DEV_SECRETS]);
    expect(withFreshSecrets(text)).toEqual({ text, replaced: [] });
  });
});
