import { describe, expect, it } from "vitest";
import { videoDto } from "../../lib/testing/video-dto.ts";
import { pageCopy, readPageCopy } from "./page-copy.ts";
import { loadPublicVideo, oembedHref, openGraphTags, summaryOf } from "./watch-meta.ts";

const ORIGIN = "https://streamline.example";
const tagsOf = (tags: ReturnType<typeof openGraphTags>) =>
  Object.fromEntries(tags.map((t) => [t.key, t.content]));

describe("watch page meta", () => {
  const video = videoDto({
    id: "v_abcdefghijklmnop",
    title: "Sunrise",
    description: "Line one\n\nline   two",
    thumbnailUrl: "/v/v_abcdefghijklmnop/tok/poster.jpg",
    durationSec: 83.4,
    width: 1920,
    height: 1080,
    embeddable: true,
  });

  it("describes an embeddable video with absolute poster, duration and a player card of /embed/:id", () => {
    const tags = tagsOf(openGraphTags(video, ORIGIN));
    expect(tags).toMatchObject({
      "og:title": "Sunrise",
      "og:description": "Line one line two",
      "og:url": `${ORIGIN}/watch/v_abcdefghijklmnop`,
      "og:image": `${ORIGIN}/api/videos/v_abcdefghijklmnop/thumbnail`,
      "video:duration": "83",
      "og:video": `${ORIGIN}/embed/v_abcdefghijklmnop`,
      "og:video:type": "text/html",
      "og:video:width": "640",
      "og:video:height": "360",
      "twitter:card": "player",
      "twitter:player": `${ORIGIN}/embed/v_abcdefghijklmnop`,
      "twitter:player:width": "640",
      "twitter:player:height": "360",
    });
    const attrs = openGraphTags(video, ORIGIN);
    expect(attrs.filter((t) => t.key.startsWith("twitter:")).every((t) => t.attr === "name")).toBe(true);
    expect(attrs.filter((t) => !t.key.startsWith("twitter:")).every((t) => t.attr === "property")).toBe(true);
  });

  it("has no player card when embedding is off", () => {
    const tags = tagsOf(openGraphTags({ ...video, embeddable: false }, ORIGIN));
    expect(tags["og:video"]).toBeUndefined();
    expect(tags["twitter:player"]).toBeUndefined();
    expect(tags["twitter:card"]).toBe("summary_large_image");
  });

  it("summarizes long or empty descriptions", () => {
    expect(summaryOf({ description: "x".repeat(300), channel: null })).toHaveLength(200);
    expect(
      summaryOf({ description: " ", channel: { handle: "al", displayName: "Al", avatarUrl: null } }),
    ).toBe("A video by Al on Streamline.");
  });

  it("points oEmbed discovery at /oembed with the watch URL", () => {
    expect(oembedHref(ORIGIN, "v_abcdefghijklmnop")).toBe(
      `${ORIGIN}/oembed?url=https%3A%2F%2Fstreamline.example%2Fwatch%2Fv_abcdefghijklmnop&format=json`,
    );
  });

  it("asks the API anonymously: 404 is missing, other failures unavailable", async () => {
    const seen: Request[] = [];
    const answer = (res: Response) => async (req: Request) => {
      seen.push(req);
      return res;
    };
    const found = await loadPublicVideo(answer(Response.json(video)), ORIGIN, video.id);
    expect(found).toEqual({ kind: "found", video });
    expect(seen[0]!.url).toBe(`${ORIGIN}/api/videos/v_abcdefghijklmnop`);
    expect(seen[0]!.headers.get("authorization")).toBeNull();
    expect(await loadPublicVideo(answer(new Response(null, { status: 404 })), ORIGIN, video.id)).toEqual({
      kind: "missing",
    });
    expect(await loadPublicVideo(answer(new Response(null, { status: 503 })), ORIGIN, video.id)).toEqual({
      kind: "unavailable",
    });
    const broken = async () => Promise.reject(new Error("down"));
    expect(await loadPublicVideo(broken, ORIGIN, video.id)).toEqual({ kind: "unavailable" });
  });

  it("renders a page copy without the server's view token, and reads back only this video's copy", () => {
    const playing = videoDto({
      id: "v_abcdefghijklmnop",
      playback: {
        hls: "/v/v_abcdefghijklmnop/tok/master.m3u8",
        expiresAt: "2030-01-01T00:00:00.000Z",
        viewToken: "server-token",
      },
    });
    const copy = pageCopy(playing);
    expect(copy.playback).toEqual({
      hls: "/v/v_abcdefghijklmnop/tok/master.m3u8",
      expiresAt: "2030-01-01T00:00:00.000Z",
    });
    expect(playing.playback?.viewToken).toBe("server-token");
    const json = JSON.stringify(copy);
    expect(readPageCopy(json, "v_abcdefghijklmnop")).toEqual(copy);
    expect(readPageCopy(json, "v_bbbbbbbbbbbbbbbb")).toBeNull();
    expect(readPageCopy("{not json", "v_abcdefghijklmnop")).toBeNull();
    expect(readPageCopy(undefined, "v_abcdefghijklmnop")).toBeNull();
    expect(readPageCopy("null", "v_abcdefghijklmnop")).toBeNull();
  });
});
