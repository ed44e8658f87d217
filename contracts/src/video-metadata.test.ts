import { describe, expect, it } from "vitest";
import { CreateUploadBody, UpdateVideoBody } from "./api.ts";
import { normalizeTag, parseChapters, parseTimestamp, TIMESTAMP_IN_TEXT } from "./video-metadata.ts";
import { Category, PublishAt, Tag, Tags } from "./video-metadata-schemas.ts";

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

describe("tags", () => {
  it.each([
    ["  Cats ", "cats"],
    ["#Cats", "cats"],
    ["##cats", "cats"],
    ["# Cats", "cats"],
    ["Cats   And\tDogs", "cats and dogs"],
    ["ÉTÉ", "été"],
    ["e\u0301te\u0301", "été"],
    ["how_to-2", "how_to-2"],
    ["日本語", "日本語"],
  ])("normalizes %j to %j", (raw, tag) => {
    expect(normalizeTag(raw)).toBe(tag);
    expect(Tag.parse(raw)).toBe(tag);
  });

  it.each(["", "   ", "#", "c#", "a/b", "<script>", "cats!", "x".repeat(31), "tab\u0000"])(
    "refuses %j",
    (raw) => {
      expect(Tag.safeParse(raw).success).toBe(false);
    },
  );

  it("accepts exactly 30 characters", () => {
    expect(Tag.parse("y".repeat(30))).toBe("y".repeat(30));
  });

  it("drops duplicates after normalization, keeping the first-seen order", () => {
    expect(Tags.parse(["Cats", "#cats", "dogs", " CATS ", "Dogs"])).toEqual(["cats", "dogs"]);
  });

  it("caps a video at 15 distinct tags (duplicates do not count)", () => {
    const fifteen = Array.from({ length: 15 }, (_, i) => `tag${i}`);
    expect(Tags.parse([...fifteen, "TAG0", "#tag1"])).toHaveLength(15);
    const sixteen = [...fifteen, "tag15"];
    const result = Tags.safeParse(sixteen);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("at most 15 tags");
  });
});

describe("category", () => {
  it("accepts the fixed list only", () => {
    expect(Category.parse("music")).toBe("music");
    expect(Category.safeParse("Music").success).toBe(false);
    expect(Category.safeParse("crypto").success).toBe(false);
  });
});

describe("publishAt", () => {
  it("must be a future ISO date-time with a zone, at most two years away", () => {
    expect(PublishAt.safeParse(inAnHour()).success).toBe(true);
    const withOffset = new Date(Date.now() + 86400_000).toISOString().replace("Z", "+00:00");
    expect(PublishAt.safeParse(withOffset).success).toBe(true);
    expect(PublishAt.safeParse(new Date(Date.now() - 1000).toISOString()).success).toBe(false);
    expect(PublishAt.safeParse("2030-01-01 10:00").success).toBe(false);
    expect(PublishAt.safeParse("tomorrow").success).toBe(false);
    expect(PublishAt.safeParse(new Date(Date.now() + 3 * 365 * 86400_000).toISOString()).success).toBe(false);
  });

  it("goes with visibility private only (or none named) in the same body", () => {
    const file = { filename: "a.mp4", size: 1, contentType: "video/mp4" };
    expect(CreateUploadBody.safeParse({ ...file, publishAt: inAnHour() }).success).toBe(true);
    expect(
      CreateUploadBody.safeParse({ ...file, publishAt: inAnHour(), visibility: "private" }).success,
    ).toBe(true);
    const bad = CreateUploadBody.safeParse({ ...file, publishAt: inAnHour(), visibility: "public" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["publishAt"]);
    expect(UpdateVideoBody.safeParse({ publishAt: inAnHour(), visibility: "unlisted" }).success).toBe(false);
    expect(UpdateVideoBody.safeParse({ publishAt: null, visibility: "public" }).success).toBe(true);
  });
});

describe("timestamps", () => {
  it.each([
    ["0:00", 0],
    ["1:23", 83],
    ["12:05", 725],
    ["90:00", 5400],
    ["1:02:03", 3723],
    ["10:00:00", 36000],
  ])("%s is %i s", (text, sec) => {
    expect(parseTimestamp(text)).toBe(sec);
  });

  it.each(["1:60", "1:2", ":12", "1:02:60", "1:75:00", "abc", "1234:00"])("%s is not one", (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });

  it("finds timestamps in running text, not inside other numbers", () => {
    const text = "at 1:23, then 1:02:03 — not 12:34:56:78, v1:23 or 3:45pm";
    expect(text.match(TIMESTAMP_IN_TEXT)).toEqual(["1:23", "1:02:03"]);
  });
});

describe("chapters", () => {
  it("parses 0:00-first, ascending timestamp lines", () => {
    const description = "My trip.\n\n0:00 Intro\n1:23 - The beach\n1:02:03 Home again\nThanks for watching";
    expect(parseChapters(description)).toEqual([
      { startSec: 0, title: "Intro" },
      { startSec: 83, title: "The beach" },
      { startSec: 3723, title: "Home again" },
    ]);
  });

  it("needs the first at 0:00", () => {
    expect(parseChapters("0:05 Intro\n1:00 Next")).toBeNull();
  });

  it("needs at least two", () => {
    expect(parseChapters("0:00 Intro")).toBeNull();
  });

  it("needs strictly ascending times", () => {
    expect(parseChapters("0:00 A\n2:00 B\n1:00 C")).toBeNull();
    expect(parseChapters("0:00 A\n1:00 B\n1:00 C")).toBeNull();
  });

  it("ignores timestamps that do not open a line, and lines with no title", () => {
    expect(parseChapters("see 0:00 and 1:00\n0:00 Start\n0:30\n2:00 End")).toEqual([
      { startSec: 0, title: "Start" },
      { startSec: 120, title: "End" },
    ]);
  });

  it("handles CRLF and caps title length", () => {
    const long = "t".repeat(150);
    expect(parseChapters(`0:00 A\r\n0:10 ${long}`)).toEqual([
      { startSec: 0, title: "A" },
      { startSec: 10, title: "t".repeat(100) },
    ]);
  });

  it("keeps markup in titles as text (the site renders text only)", () => {
    expect(parseChapters("0:00 <b>Intro</b>\n0:20 x")?.[0]?.title).toBe("<b>Intro</b>");
  });
});
