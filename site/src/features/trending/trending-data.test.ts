import { describe, expect, it } from "vitest";
import { videoDto } from "../../lib/testing/video-dto.ts";
import { loadFirstTrending, TRENDING_PAGE_SIZE, updatedLine } from "./trending-data.ts";

describe("loadFirstTrending", () => {
  it("asks GET /api/trending?limit= at the origin and keeps the cursor and computedAt", async () => {
    const asked: string[] = [];
    const page = await loadFirstTrending(async (req) => {
      asked.push(req.url);
      return Response.json({
        videos: [videoDto()],
        nextCursor: "24",
        computedAt: "2026-12-07T18:00:00.000Z",
      });
    }, "http://site.test");
    expect(asked).toEqual([`http://site.test/api/trending?limit=${TRENDING_PAGE_SIZE}`]);
    expect(page).toMatchObject({ nextCursor: "24", computedAt: "2026-12-07T18:00:00.000Z" });
    expect(page?.videos).toHaveLength(1);
  });

  it("is null when the API fails, throws or answers something else", async () => {
    expect(await loadFirstTrending(async () => new Response("no", { status: 503 }), "http://s")).toBeNull();
    expect(
      await loadFirstTrending(async () => {
        throw new Error("down");
      }, "http://s"),
    ).toBeNull();
    expect(await loadFirstTrending(async () => Response.json({ nope: 1 }), "http://s")).toBeNull();
  });
});

describe("updatedLine", () => {
  const now = Date.parse("2026-12-07T18:10:00.000Z");
  it("says how long ago the ranking was computed", () => {
    expect(updatedLine("2026-12-07T18:05:00.000Z", now)).toBe("Updated 5 minutes ago");
    expect(updatedLine("2026-12-07T18:09:59.000Z", now)).toBe("Updated just now");
  });

  it("says nothing before the first computation or for a bad time", () => {
    expect(updatedLine(null, now)).toBe("");
    expect(updatedLine("garbage", now)).toBe("");
  });
});
