import { describe, expect, it } from "vitest";
import { videoDto } from "./testing/video-dto.ts";
import { avatarLook, FIRST_ROW, posterImage, videoCardText, viewsLabel } from "./video-card-data.ts";

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

  it("has no image without a poster; one poster size, so no srcset", () => {
    expect(posterImage(videoDto({ thumbnailUrl: null }), 0)).toBeNull();
    expect(posterImage(video, 0)).toEqual({
      src: "/v/sig/poster.jpg",
      loading: "eager",
      fetchpriority: "high",
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
