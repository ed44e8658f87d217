import { describe, expect, it } from "vitest";
import { embedCode, watchLink } from "./share-links.ts";

const ORIGIN = "https://streamline.example";

describe("share links", () => {
  it("links to the watch page, at the current whole second when asked", () => {
    expect(watchLink(ORIGIN, "v_abcdefghijklmnop")).toBe(`${ORIGIN}/watch/v_abcdefghijklmnop`);
    expect(watchLink(ORIGIN, "v_abcdefghijklmnop", 83.9)).toBe(`${ORIGIN}/watch/v_abcdefghijklmnop?t=83`);
    expect(watchLink(ORIGIN, "v_abcdefghijklmnop", 0.4)).toBe(`${ORIGIN}/watch/v_abcdefghijklmnop`);
  });

  it("embeds an escaped iframe of /embed/:id at the video's aspect, starting where asked", () => {
    const video = { id: "v_abcdefghijklmnop", title: `A "quoted" <title> & more`, width: 1080, height: 1920 };
    expect(embedCode(ORIGIN, video, 30)).toBe(
      `<iframe width="640" height="1138" src="${ORIGIN}/embed/v_abcdefghijklmnop?start=30" ` +
        `title="A &#34;quoted&#34; &#60;title&#62; &#38; more" frameborder="0" ` +
        `allow="autoplay; fullscreen; picture-in-picture; encrypted-media" allowfullscreen></iframe>`,
    );
    expect(embedCode(ORIGIN, { ...video, width: null, height: null })).toContain('width="640" height="360"');
  });
});
