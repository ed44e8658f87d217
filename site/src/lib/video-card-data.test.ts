import { describe, expect, it } from "vitest";
import { videoDto } from "./testing/video-dto.ts";
import {
  avatarLook,
  CARD_SIZES,
  FIRST_ROW,
  posterImage,
  videoCardText,
  viewsLabel,
} from "./video-card-data.ts";

const NOW = Date.parse("2026-11-24T10:01:00.000Z");

describe("videoCardText", () => {
  it("links to the watch page and reads duration, views and age (published, not created)", () => {
    const text = videoCardText(videoDto({ id: "v_bbbbbbbbbbbbbbbb", durationSec: 83, viewCount: 1234 }), NOW);
    expect(text).toEqual({
      href: "/watch/v_bbbbbbbbbbbbbbbb",
      title: "Clip",
      duration: "1:23",
      meta: "1,234 views · yesterday",
    });
  });

  it("says 1 view, and no duration when it is unknown", () => {
    const text = videoCardText(videoDto({ durationSec: null, viewCount: 1, publishedAt: null }), NOW);
    expect(text.duration).toBe("");
    expect(text.meta).toBe("1 view · yesterday");
    expect(viewsLabel(0)).toBe("0 views");
  });
});

describe("posterImage", () => {
  const video = videoDto({ thumbnailUrl: "/v/sig/poster.jpg" });

  it("loads the first row eagerly at high priority, the rest lazily", () => {
    for (let i = 0; i < FIRST_ROW; i++)
      expect(posterImage(video, i)).toMatchObject({ loading: "eager", fetchpriority: "high" });
    expect(posterImage(video, FIRST_ROW)).toMatchObject({ loading: "lazy", fetchpriority: "auto" });
  });

  it("has no image without a poster; a video from before poster sizes gets no srcset", () => {
    expect(posterImage(videoDto({ thumbnailUrl: null }), 0)).toBeNull();
    expect(posterImage(video, 0)).toEqual({
      src: "/v/sig/poster.jpg",
      loading: "eager",
      fetchpriority: "high",
    });
    expect(
      posterImage(videoDto({ thumbnailUrl: "/v/sig/poster.jpg", posterSizes: [] }), 0),
    ).not.toHaveProperty("srcset");
  });

  it("offers the WebP widths as srcset with the grid's sizes; the JPEG stays the src", () => {
    const sized = videoDto({
      thumbnailUrl: "/v/sig/poster.jpg",
      posterSizes: [
        { url: "/v/sig/poster-320.webp", width: 320, height: 180 },
        { url: "/v/sig/poster-640.webp", width: 640, height: 360 },
        { url: "/v/sig/poster-1280.webp", width: 1280, height: 720 },
      ],
    });
    expect(posterImage(sized, 9)).toEqual({
      src: "/v/sig/poster.jpg",
      srcset: "/v/sig/poster-320.webp 320w, /v/sig/poster-640.webp 640w, /v/sig/poster-1280.webp 1280w",
      sizes: CARD_SIZES,
      loading: "lazy",
      fetchpriority: "auto",
    });
  });
});

describe("avatarLook", () => {
  it("is the channel's link, name and initial; null without a channel", () => {
    expect(avatarLook({ handle: "ana", displayName: "élan", avatarUrl: null })).toEqual({
      href: "/c/ana",
      handle: "ana",
      displayName: "élan",
      avatarUrl: null,
      initial: "É",
    });
    expect(avatarLook(null)).toBeNull();
  });
});
