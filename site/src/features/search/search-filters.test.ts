import { describe, expect, it } from "vitest";
import { highlightPieces } from "./highlight-nodes.ts";
import { chipGroups, hasFilters, searchParamsOf, withoutFilters } from "./search-filters.ts";

const params = (s: string) => new URLSearchParams(s);

describe("search chips", () => {
  it("each chip links to the same search with one filter changed; the current one is active", () => {
    const groups = chipGroups(params("q=bay+timelapse&duration=short&cursor=abc"));
    expect(groups.map((g) => g.label)).toEqual(["Type", "Duration", "Upload date", "Sort by"]);
    const duration = groups.find((g) => g.key === "duration")!;
    expect(duration.chips.map((c) => [c.label, c.active])).toEqual([
      ["Any length", false],
      ["Under 4 minutes", true],
      ["4–20 minutes", false],
      ["Over 20 minutes", false],
    ]);
    expect(duration.chips[0]!.href).toBe("/search?q=bay+timelapse");
    expect(duration.chips[3]!.href).toBe("/search?q=bay+timelapse&duration=long");
    const sort = groups.find((g) => g.key === "sort")!;
    expect(sort.chips[1]!.href).toBe("/search?q=bay+timelapse&duration=short&sort=date");
    expect(sort.chips[0]!.active).toBe(true);
  });

  it("unknown keys and values are dropped, never echoed into links", () => {
    expect(searchParamsOf(params("q=x&duration=forever&evil=%3Cscript%3E&sort=relevance")).toString()).toBe(
      "q=x",
    );
    expect(hasFilters(params("q=x&sort=relevance"))).toBe(false);
    expect(hasFilters(params("q=x&uploaded=week"))).toBe(true);
    expect(withoutFilters(params("q=a b&uploaded=week&type=video"))).toBe("/search?q=a+b");
  });
});

describe("highlightPieces", () => {
  it("cuts the text at the ranges", () => {
    expect(
      highlightPieces({
        text: "Café au lait",
        ranges: [
          [0, 4],
          [8, 12],
        ],
      }),
    ).toEqual([
      { text: "Café", marked: true },
      { text: " au ", marked: false },
      { text: "lait", marked: true },
    ]);
  });

  it("skips overlapping, reversed or out-of-bounds ranges and keeps all the text", () => {
    const pieces = highlightPieces({
      text: "<b>hi</b>",
      ranges: [
        [3, 5],
        [4, 6],
        [7, 3],
        [8, 99],
      ],
    });
    expect(pieces.map((p) => p.text).join("")).toBe("<b>hi</b>");
    expect(pieces.filter((p) => p.marked).map((p) => p.text)).toEqual(["hi"]);
  });
});
