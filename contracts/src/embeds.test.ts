import { describe, expect, it } from "vitest";
import { embedOptions } from "./embeds.ts";

const parse = (query: string) => embedOptions(new URLSearchParams(query));

describe("embed options", () => {
  it("defaults: no autoplay, sound, from the start, controls, the viewer's colour scheme", () => {
    expect(parse("")).toEqual({ autoplay: false, muted: false, start: 0, controls: true, theme: "system" });
  });

  it("reads the embedder's query; a theme other than light or dark follows the viewer", () => {
    expect(parse("autoplay=1&mute=true&t=30.9&controls=0&theme=light")).toEqual({
      autoplay: true,
      muted: true,
      start: 30,
      controls: false,
      theme: "light",
    });
    expect(parse("theme=dark").theme).toBe("dark");
    expect(parse("theme=purple").theme).toBe("system");
    expect(parse("start=-4").start).toBe(0);
  });
});
