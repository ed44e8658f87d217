import { describe, expect, it } from "vitest";
import { videoDto } from "../../lib/testing/video-dto.ts";
import { HOME_PAGE_SIZE, homePageSize, loadFirstPage } from "./home-data.ts";

describe("homePageSize", () => {
  it("takes 1–60 from the variable, else the default", () => {
    expect(homePageSize("2")).toBe(2);
    expect(homePageSize("60")).toBe(60);
    for (const raw of [undefined, "", "0", "61", "2.5", "x"]) expect(homePageSize(raw)).toBe(HOME_PAGE_SIZE);
  });
});

describe("loadFirstPage", () => {
  it("asks GET /api/videos?limit= at the origin and returns the page", async () => {
    const asked: string[] = [];
    const page = await loadFirstPage(
      async (req) => {
        asked.push(req.url);
        return Response.json({ videos: [videoDto()], nextCursor: "123.v_aaaaaaaaaaaaaaaa" });
      },
      "http://site.test",
      5,
    );
    expect(asked).toEqual(["http://site.test/api/videos?limit=5"]);
    expect(page?.videos).toHaveLength(1);
    expect(page?.nextCursor).toBe("123.v_aaaaaaaaaaaaaaaa");
  });

  it("is null when the API fails or answers something else (the browser then asks itself)", async () => {
    expect(await loadFirstPage(async () => new Response("no", { status: 503 }), "http://s", 5)).toBeNull();
    expect(await loadFirstPage(async () => Response.json({ error: {} }), "http://s", 5)).toBeNull();
    expect(
      await loadFirstPage(
        async () => {
          throw new TypeError("network");
        },
        "http://s",
        5,
      ),
    ).toBeNull();
  });
});
