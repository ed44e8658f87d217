/**
 * Embeds (ADR 0019): the owner's embed settings through PATCH /api/videos/:id, GET /oembed,
 * and the frame-ancestors policy the edge gives `/embed/:id` (and only it).
 */
import { env } from "cloudflare:workers";
import { MAX_EMBED_ORIGINS, OEmbedResponse, type VideoDto } from "@streamline/contracts";
import { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, ORIGIN, signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import type { AppEnv } from "../../lib/app-env.ts";
import { newVideoId } from "../../lib/ids.ts";
import { services } from "../../lib/services.ts";
import { securityHeaders } from "../../middleware/security-headers/index.ts";
import { embedFraming } from "./embed-framing.ts";

type ErrorBody = { error: { code: string; issues?: { path: string }[] } };

let alice: TestUser;
let mallory: TestUser;

function readyVideo(patch: Parameters<typeof insertVideo>[0] = {}) {
  return insertVideo({
    ownerId: alice.id,
    title: `Sunrise <over> "the" bay`,
    visibility: "public",
    status: "ready",
    playable: true,
    width: 1920,
    height: 1080,
    durationSec: 83,
    ...patch,
  });
}

const patchEmbed = (id: string, embed: unknown, who: TestUser = alice) =>
  callJson<VideoDto & ErrorBody>(`/api/videos/${id}`, {
    method: "PATCH",
    json: { embed },
    headers: who.auth,
  });

const oembed = (url: string, extra = "") =>
  callJson<OEmbedResponse & ErrorBody>(`/oembed?url=${encodeURIComponent(url)}${extra}`);

beforeAll(async () => {
  alice = await signUp();
  mallory = await signUp();
});

describe("PATCH /api/videos/:id { embed }", () => {
  it("stores the settings, normalizes origins, and shows them to the owner only", async () => {
    const video = await readyVideo();
    const res = await patchEmbed(video.id, {
      allowed: true,
      origins: ["https://Blog.Example/", "http://127.0.0.1:8080", "https://blog.example"],
    });
    expect(res.status).toBe(200);
    expect(res.body.embed).toEqual({
      allowed: true,
      origins: ["https://blog.example", "http://127.0.0.1:8080"],
    });
    expect(res.body.embeddable).toBe(true);

    const owner = await callJson<VideoDto>(`/api/videos/${video.id}`, { headers: alice.auth });
    expect(owner.body.embed).toEqual(res.body.embed);
    const viewer = await callJson<VideoDto>(`/api/videos/${video.id}`);
    expect(viewer.body.embed).toBeUndefined();
    expect(viewer.body.embeddable).toBe(true);

    const off = await patchEmbed(video.id, { allowed: false, origins: null });
    expect(off.body.embed).toEqual({ allowed: false, origins: null });
    expect((await callJson<VideoDto>(`/api/videos/${video.id}`)).body.embeddable).toBe(false);
  });

  it.each([
    ["a path", ["https://blog.example/page"]],
    ["ftp", ["ftp://files.example"]],
    ["javascript:", ["javascript:alert(1)"]],
    ["credentials", ["https://user:pw@blog.example"]],
    ["a query", ["https://blog.example?x=1"]],
    ["not a URL", ["blog.example"]],
    ["too many", Array.from({ length: MAX_EMBED_ORIGINS + 1 }, (_, i) => `https://s${i}.example`)],
  ])("refuses origins with %s (400, nothing stored)", async (_name, origins) => {
    const video = await readyVideo();
    const res = await patchEmbed(video.id, { allowed: true, origins });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    const owner = await callJson<VideoDto>(`/api/videos/${video.id}`, { headers: alice.auth });
    expect(owner.body.embed).toEqual({ allowed: true, origins: null });
  });

  it("a stranger's edit is 404 and changes nothing", async () => {
    const video = await readyVideo();
    expect((await patchEmbed(video.id, { allowed: false, origins: null }, mallory)).status).toBe(404);
    expect((await callJson<VideoDto>(`/api/videos/${video.id}`)).body.embeddable).toBe(true);
  });
});

describe("GET /api/videos/:id/thumbnail", () => {
  const thumb = (id: string) => call(`/api/videos/${id}/thumbnail`, { redirect: "manual" });

  it("redirects to the poster under a fresh token, for public and unlisted videos; briefly cached", async () => {
    for (const visibility of ["public", "unlisted"] as const) {
      const id = newVideoId();
      await readyVideo({ id, visibility, posterKey: `videos/${id}/poster.jpg` });
      const res = await thumb(id);
      expect(res.status, visibility).toBe(302);
      expect(res.headers.get("location")).toMatch(new RegExp(`^/v/${id}/ey[^/]+/poster\\.jpg$`));
      expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    }
  });

  it("is 404 for what an anonymous visitor may not see, or a video without a poster", async () => {
    const cases = [
      { visibility: "private" as const },
      { takenDownAt: Date.now(), takedownReason: "spam" },
      { posterKey: null },
      { status: "processing" as const, playable: false },
    ];
    for (const patch of cases) {
      const id = newVideoId();
      await readyVideo({ id, posterKey: `videos/${id}/poster.jpg`, ...patch });
      expect((await thumb(id)).status, JSON.stringify(patch)).toBe(404);
    }
    expect((await thumb("v_0000000000000000")).status).toBe(404);
  });
});

describe("GET /oembed", () => {
  it("answers oEmbed 1.0 video JSON with the embed iframe, author and poster", async () => {
    const id = newVideoId();
    const video = await readyVideo({ id, posterKey: `videos/${id}/poster.jpg` });
    const res = await oembed(`${ORIGIN}/watch/${video.id}?t=30`);
    expect(res.status).toBe(200);
    expect(res.res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.res.headers.get("access-control-allow-origin")).toBe("*");
    const body = OEmbedResponse.parse(res.body);
    expect(body).toMatchObject({
      type: "video",
      version: "1.0",
      title: video.title,
      author_name: alice.handle,
      author_url: `${ORIGIN}/c/${alice.handle}`,
      provider_name: "Streamline",
      width: 640,
      height: 360,
      thumbnail_width: 1280,
      thumbnail_height: 720,
    });
    // The stable address (it outlives a delivery token): see GET /api/videos/:id/thumbnail below.
    expect(body.thumbnail_url).toBe(`${ORIGIN}/api/videos/${video.id}/thumbnail`);
    expect(body.html).toBe(
      `<iframe width="640" height="360" src="${ORIGIN}/embed/${video.id}" title="Sunrise &#60;over&#62; &#34;the&#34; bay" ` +
        `frameborder="0" allow="autoplay; fullscreen; picture-in-picture; encrypted-media" allowfullscreen></iframe>`,
    );
  });

  it("fits maxwidth and maxheight, keeping the video's aspect", async () => {
    const video = await readyVideo({ width: 1080, height: 1920 });
    const url = `${ORIGIN}/watch/${video.id}`;
    expect((await oembed(url, "&maxwidth=320")).body).toMatchObject({ width: 320, height: 569 });
    expect((await oembed(url, "&maxheight=400")).body).toMatchObject({ width: 225, height: 400 });
    expect((await oembed(`${ORIGIN}/embed/${video.id}`)).status).toBe(200);
  });

  it("is 404 for unknown, private, unplayable, taken-down and not-embeddable videos, and foreign addresses", async () => {
    const hidden = [
      await readyVideo({ visibility: "private" }),
      await readyVideo({ status: "processing", playable: false }),
      await readyVideo({ takenDownAt: Date.now() }),
      await readyVideo({ embedAllowed: false }),
    ];
    const public_ = await readyVideo();
    const urls = [
      `${ORIGIN}/watch/v_0000000000000000`,
      ...hidden.map((v) => `${ORIGIN}/watch/${v.id}`),
      `https://evil.example/watch/${public_.id}`,
      `${ORIGIN}/c/${alice.handle}`,
      "not a url",
    ];
    for (const url of urls) {
      const res = await oembed(url);
      expect(res.status, url).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
  });

  it("is 501 for format=xml and 400 without a url", async () => {
    const video = await readyVideo();
    const xml = await oembed(`${ORIGIN}/watch/${video.id}`, "&format=xml");
    expect(xml.status).toBe(501);
    expect(xml.body.error.code).toBe("not_implemented");
    const missing = await callJson<ErrorBody>("/oembed");
    expect(missing.status).toBe(400);
  });
});

describe("frame-ancestors of /embed/:id", () => {
  // The real middleware pair over real D1, in front of a page like the site's.
  const pages = new Hono<AppEnv>()
    .use(async (c, next) => {
      c.set("services", services(c.env));
      await next();
    })
    .use(securityHeaders())
    .use("/embed/:id", embedFraming())
    .get("*", (c) => c.html("<!doctype html><p>page</p>"));

  const framing = async (path: string) => {
    const res = await pages.request(`${ORIGIN}${path}`, {}, env);
    const csp = res.headers.get("content-security-policy") ?? "";
    return { ancestors: /frame-ancestors ([^;]+)/.exec(csp)?.[1], xfo: res.headers.get("x-frame-options") };
  };

  it("lets any site frame an embeddable video, or only its allowed origins", async () => {
    const open = await readyVideo();
    expect(await framing(`/embed/${open.id}`)).toEqual({ ancestors: "*", xfo: null });
    const listed = await readyVideo({
      embedOriginsJson: JSON.stringify(["https://blog.example", "http://127.0.0.1:8080"]),
    });
    expect(await framing(`/embed/${listed.id}?autoplay=1`)).toEqual({
      ancestors: "https://blog.example http://127.0.0.1:8080",
      xfo: null,
    });
  });

  it("refuses framing when embedding is off, the video is hidden or unknown, and on every other page", async () => {
    const off = await readyVideo({ embedAllowed: false });
    const hidden = await readyVideo({ visibility: "private" });
    const emptyList = await readyVideo({ embedOriginsJson: "[]" });
    for (const path of [
      `/embed/${off.id}`,
      `/embed/${hidden.id}`,
      `/embed/${emptyList.id}`,
      "/embed/v_0000000000000000",
      "/embed/not-an-id",
      `/watch/${off.id}`,
      `/watch/${emptyList.id}`,
      "/",
    ]) {
      expect(await framing(path), path).toEqual({ ancestors: "'none'", xfo: "DENY" });
    }
    const open = await readyVideo();
    expect(await framing(`/watch/${open.id}`)).toEqual({ ancestors: "'none'", xfo: "DENY" });
  });
});
