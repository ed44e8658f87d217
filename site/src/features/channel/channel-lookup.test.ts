import { describe, expect, it } from "vitest";
import { checkChannelImage, MAX_CHANNEL_IMAGE_BYTES } from "./channel-image-upload.ts";
import { lookupChannel } from "./channel-lookup.ts";

const ORIGIN = "http://127.0.0.1:8787";
const channel = (handle: string) => ({
  channel: {
    handle,
    displayName: "Ana",
    description: "",
    avatarUrl: null,
    avatarSrcset: null,
    bannerUrl: null,
    bannerSrcset: null,
    links: [],
    subscriberCount: 0,
    videoCount: 0,
    totalViews: 0,
    createdAt: "2026-12-07T10:00:00.000Z",
  },
  subscribed: false,
});

/** The API's answers, as the edge gives them, by requested path; records what was asked. */
function api(answers: Record<string, () => Response>) {
  const asked: Request[] = [];
  const fetcher = async (req: Request) => {
    asked.push(req);
    const answer = answers[new URL(req.url).pathname];
    return answer ? answer() : Response.json({ error: { code: "not_found", message: "x" } }, { status: 404 });
  };
  return { fetcher, asked };
}

describe("lookupChannel (the /c/:handle page's server side)", () => {
  it("a channel → found, asked without following redirects", async () => {
    const { fetcher, asked } = api({ "/api/channels/ana": () => Response.json(channel("ana")) });
    expect(await lookupChannel(fetcher, ORIGIN, "ana")).toEqual({ kind: "found", data: channel("ana") });
    expect(asked[0]!.redirect).toBe("manual");
  });

  it("the API's 308 for a given-up handle → moved to the handle in its Location", async () => {
    const { fetcher } = api({
      "/api/channels/old-name": () =>
        new Response(null, { status: 308, headers: { location: "/api/channels/new-name" } }),
    });
    expect(await lookupChannel(fetcher, ORIGIN, "old-name")).toEqual({ kind: "moved", handle: "new-name" });
  });

  it("another spelling of a handle → moved to the canonical one", async () => {
    const { fetcher } = api({ "/api/channels/ana": () => Response.json(channel("ana")) });
    expect(await lookupChannel(fetcher, ORIGIN, "Ana")).toEqual({ kind: "moved", handle: "ana" });
  });

  it("404, or a handle that cannot exist (never asked) → missing; a 5xx → unavailable", async () => {
    const { fetcher, asked } = api({ "/api/channels/down": () => new Response("oops", { status: 503 }) });
    expect(await lookupChannel(fetcher, ORIGIN, "nobody")).toEqual({ kind: "missing" });
    expect(await lookupChannel(fetcher, ORIGIN, "a")).toEqual({ kind: "missing" });
    expect(await lookupChannel(fetcher, ORIGIN, "../admin")).toEqual({ kind: "missing" });
    expect(asked.map((r) => new URL(r.url).pathname)).toEqual(["/api/channels/nobody"]);
    expect(await lookupChannel(fetcher, ORIGIN, "down")).toEqual({ kind: "unavailable", status: 503 });
  });
});

describe("checkChannelImage (before the upload)", () => {
  it("takes JPEG, PNG and WebP up to 10 MiB, by type or extension", () => {
    expect(checkChannelImage({ name: "a.jpg", type: "", size: 10 })).toEqual({
      ok: true,
      contentType: "image/jpeg",
    });
    expect(checkChannelImage({ name: "x", type: "image/webp", size: MAX_CHANNEL_IMAGE_BYTES })).toMatchObject(
      {
        ok: true,
      },
    );
    expect(checkChannelImage({ name: "a.gif", type: "image/gif", size: 10 })).toMatchObject({ ok: false });
    expect(checkChannelImage({ name: "a.png", type: "image/png", size: 0 })).toMatchObject({ ok: false });
    expect(
      checkChannelImage({ name: "a.png", type: "image/png", size: MAX_CHANNEL_IMAGE_BYTES + 1 }),
    ).toEqual({
      ok: false,
      error: "Images can be at most 10 MiB.",
    });
  });
});
