import { OIDC_ERROR_CODES } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { oidcErrorSentence, startUrl } from "./oidc-messages.ts";

describe("provider sign-in messages", () => {
  it("has a sentence for every code the edge can put in the address bar", () => {
    for (const code of OIDC_ERROR_CODES) {
      const sentence = oidcErrorSentence(code);
      expect(sentence, code).toMatch(/^[A-Z].*\.$/);
      expect(sentence, code).not.toMatch(/oidc_|undefined/);
    }
  });

  it("ignores anything else (no reflected text, no prototype keys)", () => {
    expect(oidcErrorSentence("<script>")).toBeNull();
    expect(oidcErrorSentence("constructor")).toBeNull();
    expect(oidcErrorSentence("toString")).toBeNull();
    expect(oidcErrorSentence(null)).toBeNull();
  });

  it("builds start URLs with the intent and the return path", () => {
    expect(startUrl("google")).toBe("/api/auth/oidc/google/start");
    expect(startUrl("google", { next: "/upload?x=1" })).toBe(
      "/api/auth/oidc/google/start?next=%2Fupload%3Fx%3D1",
    );
    expect(startUrl("google", { intent: "link", next: "/account" })).toBe(
      "/api/auth/oidc/google/start?intent=link&next=%2Faccount",
    );
  });
});
