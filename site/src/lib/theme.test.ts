import { THEME_COOKIE as CONTRACT_COOKIE } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { THEME_COOKIE } from "./theme.ts";

describe("theme cookie", () => {
  it("is the contracts' name (spelled out so the first script stays free of the schemas)", () => {
    expect(THEME_COOKIE).toBe(CONTRACT_COOKIE);
  });
});
