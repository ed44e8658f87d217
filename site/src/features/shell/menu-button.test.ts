import { describe, expect, it } from "vitest";
import { typeaheadIndex } from "./menu-button.ts";

describe("typeaheadIndex", () => {
  const labels = ["Your channel", "Studio", "Subscriptions", "History", "Account", "System", "Log out"];

  it("finds the next item starting with the letter, after the focused one, wrapping", () => {
    expect(typeaheadIndex(labels, 0, "s")).toBe(1);
    expect(typeaheadIndex(labels, 1, "S")).toBe(2);
    expect(typeaheadIndex(labels, 5, "s")).toBe(1);
    expect(typeaheadIndex(labels, -1, "y")).toBe(0);
  });

  it("is -1 when no item starts with it", () => {
    expect(typeaheadIndex(labels, 0, "z")).toBe(-1);
  });
});
