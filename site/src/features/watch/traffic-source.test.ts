import { describe, expect, it } from "vitest";
import { trafficSource } from "./traffic-source.ts";

const here = { origin: "https://tube.example", pathname: "/watch/v_AAAAAAAAAAAAAAAA" };
const from = (path: string) => trafficSource(`https://tube.example${path}`, here);

describe("trafficSource", () => {
  it("names same-origin pages by their path", () => {
    expect(from("/search?q=cats")).toBe("search");
    expect(from("/c/alice")).toBe("channel");
    expect(from("/c/alice/about")).toBe("channel");
    expect(from("/watch/v_BBBBBBBBBBBBBBBB")).toBe("up_next");
    expect(from("/feed")).toBe("feed");
    expect(from("/")).toBe("browse");
    expect(from("/trending")).toBe("browse");
    expect(from("/history")).toBe("browse");
    expect(from("/searching")).toBe("browse");
  });

  it("is external from another origin, direct without a referrer", () => {
    expect(trafficSource("https://news.example/post", here)).toBe("external");
    expect(trafficSource("http://tube.example/search", here)).toBe("external");
    expect(trafficSource("", here)).toBe("direct");
    expect(trafficSource("not a url", here)).toBe("direct");
  });

  it("is embed on the embed page, whoever embeds it", () => {
    const embed = { origin: here.origin, pathname: "/embed/v_AAAAAAAAAAAAAAAA" };
    expect(trafficSource("https://blog.example/", embed)).toBe("embed");
    expect(trafficSource("", embed)).toBe("embed");
  });
});
