import { describe, expect, it } from "vitest";
import { fromLocalInput, type MetadataValues, metadataPatch, toLocalInput } from "./metadata-form.ts";
import { additionMessage, addTags } from "./tag-input.ts";

describe("tag chips", () => {
  it("adds comma-separated tags normalized like the API, without duplicates", () => {
    expect(addTags(["cats"], "#Dogs, CATS,  Big   Birds ,,")).toEqual({
      tags: ["cats", "dogs", "big birds"],
      rejected: [],
      overflow: false,
    });
  });

  it("rejects what the API would refuse, and says why", () => {
    const added = addTags([], "ok, not/ok");
    expect(added.tags).toEqual(["ok"]);
    expect(added.rejected).toEqual(["not/ok"]);
    expect(additionMessage(added)).toMatch(/“not\/ok” can't be a tag/);
  });

  it("stops at 15", () => {
    const fourteen = Array.from({ length: 14 }, (_, i) => `t${i}`);
    const added = addTags(fourteen, "a, b");
    expect(added.tags).toHaveLength(15);
    expect(added.overflow).toBe(true);
    expect(additionMessage(added)).toBe("A video can have at most 15 tags.");
  });
});

describe("metadata patch", () => {
  const saved: MetadataValues = {
    description: "d",
    tags: ["a", "b"],
    category: "music",
    visibility: "private",
    publishAt: "2030-01-01T10:00:00.000Z",
  };

  it("is null when nothing changed (the same instant written differently included)", () => {
    expect(
      metadataPatch(saved, { ...saved, tags: ["a", "b"], publishAt: "2030-01-01T10:00:00Z" }),
    ).toBeNull();
  });

  it("carries only what changed, null for cleared fields", () => {
    expect(metadataPatch(saved, { ...saved, tags: ["b", "a"], category: null, publishAt: null })).toEqual({
      tags: ["b", "a"],
      category: null,
      publishAt: null,
    });
  });

  it("converts datetime-local values and back", () => {
    const iso = fromLocalInput("2030-05-06T07:08");
    expect(iso).toBe(new Date(2030, 4, 6, 7, 8).toISOString());
    expect(toLocalInput(iso)).toBe("2030-05-06T07:08");
    expect(fromLocalInput("")).toBeNull();
    expect(toLocalInput(null)).toBe("");
  });
});
