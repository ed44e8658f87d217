import { describe, expect, it } from "vitest";
import { originsFromText, originsIssue } from "./embed-section.ts";

describe("studio embedding panel", () => {
  it("reads one origin a line; nothing typed means any site", () => {
    expect(originsFromText(" https://a.example \n\n http://127.0.0.1:8080,https://b.example\n")).toEqual([
      "https://a.example",
      "http://127.0.0.1:8080",
      "https://b.example",
    ]);
    expect(originsFromText(" \n ")).toBeNull();
  });

  it("names the line the API refused", () => {
    const typed = ["https://a.example", "ftp://b.example"];
    const issues = [{ path: "embed.origins.1", message: "an origin like https://example.com (no path)" }];
    expect(originsIssue(issues, typed)).toBe("ftp://b.example: an origin like https://example.com (no path)");
    expect(originsIssue([{ path: "embed.origins", message: "Too big" }], typed)).toBe("Too big");
    expect(originsIssue([{ path: "title", message: "x" }], typed)).toBeNull();
    expect(originsIssue(undefined, typed)).toBeNull();
  });
});
