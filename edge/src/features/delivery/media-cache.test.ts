/**
 * The edge's media cache (ADR 0030): immutable files are read from storage once and then
 * served from `caches.default` to every viewer, whatever their token, Range included;
 * playlists and text tracks never are; and the token check still comes first, so a video
 * made private, taken down or deleted is refused even while its files sit in the cache.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { MASTER_240P, PLAYLIST_240P, publishVideo } from "../../../test/fixtures.ts";
import { call, callJson } from "../../../test/http.ts";
import { newVideoId } from "../../lib/ids.ts";
import { services } from "../../lib/services.ts";
import { isCacheable } from "./media-cache.ts";

const SEGMENT = new Uint8Array(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));

let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  alice = await signUp();
  bob = await signUp();
});

async function publicVideo() {
  const id = newVideoId();
  const files = {
    "master.m3u8": MASTER_240P,
    "240p/index.m3u8": PLAYLIST_240P,
    "240p/init.mp4": new Uint8Array(48).fill(1),
    "240p/seg_00001.m4s": SEGMENT,
    "poster.jpg": new Uint8Array(300).fill(9),
  };
  await publishVideo(alice.id, files, { id, posterKey: `videos/${id}/poster.jpg` });
  return id;
}

/** The signed base URL (`/v/{id}/{token}/`) one viewer gets from the metadata. */
async function baseFor(videoId: string, auth: Record<string, string>) {
  const meta = await callJson<{ playback: { hls: string } }>(`/api/videos/${videoId}`, { headers: auth });
  expect(meta.status).toBe(200);
  return meta.body.playback.hls.replace("master.m3u8", "");
}

async function bytes(res: Response) {
  return new Uint8Array(await res.arrayBuffer());
}

/** Removes a file from storage: whatever still answers for it comes from the cache. */
const dropFromStorage = (videoId: string, path: string) =>
  services(env).store.delete([`videos/${videoId}/${path}`]);

describe("edge media cache", { timeout: 30_000 }, () => {
  it("a segment is read from storage once, then served from the cache to another viewer's token", async () => {
    const id = await publicVideo();
    const bobs = await baseFor(id, bob.auth);
    const alices = await baseFor(id, alice.auth);
    expect(bobs).not.toBe(alices);

    const first = await call(`${bobs}240p/seg_00001.m4s`);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-media-cache")).toBe("miss");
    expect(first.headers.get("content-length")).toBe(String(SEGMENT.length));
    expect(await bytes(first)).toEqual(SEGMENT);

    await dropFromStorage(id, "240p/seg_00001.m4s");
    const second = await call(`${alices}240p/seg_00001.m4s`);
    expect(second.status).toBe(200);
    expect(second.headers.get("x-media-cache")).toBe("hit");
    // What the viewer gets is still private to them: the shared copy lives only at the edge.
    expect(second.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(second.headers.get("content-type")).toBe("video/iso.segment");
    expect(second.headers.get("access-control-allow-origin")).toBe("*");
    expect(second.headers.get("content-length")).toBe(String(SEGMENT.length));
    expect(await bytes(second)).toEqual(SEGMENT);
  });

  it("answers Range from the cached object: a window, an open end, a suffix, and 416 past the end", async () => {
    const id = await publicVideo();
    const base = await baseFor(id, bob.auth);
    const url = `${base}240p/seg_00001.m4s`;
    // A ranged miss still caches the whole object and answers just the range asked for.
    const miss = await call(url, { headers: { range: "bytes=100-199" } });
    expect(miss.status).toBe(206);
    expect(miss.headers.get("x-media-cache")).toBe("miss");
    expect(miss.headers.get("content-range")).toBe(`bytes 100-199/${SEGMENT.length}`);
    expect(await bytes(miss)).toEqual(SEGMENT.slice(100, 200));
    await expect
      .poll(async () => (await call(url, { method: "HEAD" })).headers.get("x-media-cache"))
      .toBe("hit");
    await dropFromStorage(id, "240p/seg_00001.m4s");

    const cases: [string, number, number][] = [
      ["bytes=1000-2999", 1000, 3000],
      ["bytes=4990-", 4990, 5000],
      ["bytes=-10", 4990, 5000],
      ["bytes=0-", 0, 5000],
    ];
    for (const [range, from, to] of cases) {
      const res = await call(url, { headers: { range } });
      expect(res.status, range).toBe(206);
      expect(res.headers.get("x-media-cache"), range).toBe("hit");
      expect(res.headers.get("content-range"), range).toBe(`bytes ${from}-${to - 1}/${SEGMENT.length}`);
      expect(res.headers.get("content-length"), range).toBe(String(to - from));
      expect(await bytes(res), range).toEqual(SEGMENT.slice(from, to));
    }
    const past = await callJson<{ error: { code: string } }>(url, { headers: { range: "bytes=9000-9999" } });
    expect(past.status).toBe(416);
    expect(past.body.error.code).toBe("range_not_satisfiable");
  });

  it("init files and images are cached too; HEAD answers from the cache without a body", async () => {
    const id = await publicVideo();
    const base = await baseFor(id, bob.auth);
    for (const path of ["240p/init.mp4", "poster.jpg"]) {
      expect((await call(`${base}${path}`)).headers.get("x-media-cache"), path).toBe("miss");
    }
    await dropFromStorage(id, "240p/init.mp4");
    await dropFromStorage(id, "poster.jpg");
    const init = await call(`${base}240p/init.mp4`);
    expect(init.headers.get("x-media-cache")).toBe("hit");
    expect(await bytes(init)).toEqual(new Uint8Array(48).fill(1));
    const head = await call(`${base}poster.jpg`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("x-media-cache")).toBe("hit");
    expect(head.headers.get("content-type")).toBe("image/jpeg");
    expect(head.headers.get("content-length")).toBe("300");
    expect(await head.text()).toBe("");
  });

  it("static MP4 downloads are not cached (rebuilt on demand under one name)", () => {
    expect(isCacheable("mp4", "videos/v_1/240p/init.mp4")).toBe(true);
    expect(isCacheable("m4s", "videos/v_1/240p/seg_00001.m4s")).toBe(true);
    expect(isCacheable("mp4", "videos/v_1/download/720p.mp4")).toBe(false);
    expect(isCacheable("m3u8", "videos/v_1/240p/index.m3u8")).toBe(false);
    expect(isCacheable("vtt", "videos/v_1/captions/en.vtt")).toBe(false);
  });

  it("playlists are never cached: a changed media playlist is served as storage holds it", async () => {
    const id = await publicVideo();
    const base = await baseFor(id, bob.auth);
    const first = await call(`${base}240p/index.m3u8`);
    expect(first.headers.get("x-media-cache")).toBeNull();
    expect(await first.text()).toBe(PLAYLIST_240P);
    const grown = PLAYLIST_240P.replace("#EXT-X-ENDLIST\n", "#EXTINF:2,\nseg_00002.m4s\n#EXT-X-ENDLIST\n");
    await services(env).store.put(`videos/${id}/240p/index.m3u8`, grown);
    const second = await call(`${base}240p/index.m3u8`);
    expect(second.headers.get("x-media-cache")).toBeNull();
    expect(await second.text()).toBe(grown);
    expect((await call(`${base}master.m3u8`)).headers.get("x-media-cache")).toBeNull();
  });

  it("a cached segment of a video made private is refused to old links: the token check comes first", async () => {
    const id = await publicVideo();
    const bobs = await baseFor(id, bob.auth);
    expect((await call(`${bobs}240p/seg_00001.m4s`)).status).toBe(200);
    const patched = await call(`/api/videos/${id}`, {
      method: "PATCH",
      json: { visibility: "private" },
      headers: alice.auth,
    });
    expect(patched.status).toBe(200);
    const refused = await callJson<{ error: { code: string } }>(`${bobs}240p/seg_00001.m4s`);
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe("not_found");
    expect(refused.res.headers.get("x-media-cache")).toBeNull();
    // The owner still plays it, from the same cached copy.
    const owners = await call(`${await baseFor(id, alice.auth)}240p/seg_00001.m4s`);
    expect(owners.headers.get("x-media-cache")).toBe("hit");
  });

  it("a cached segment of a taken-down or deleted video is refused to everyone", async () => {
    const takenDown = await publicVideo();
    const bobs = await baseFor(takenDown, bob.auth);
    expect((await call(`${bobs}240p/seg_00001.m4s`)).status).toBe(200);
    await services(env)
      .db.$client.prepare(
        "update videos set taken_down_at = ?, takedown_reason = 'test', access_epoch = access_epoch + 1 where id = ?",
      )
      .bind(Date.now(), takenDown)
      .run();
    // Another isolate's takedown reaches segments within ACCESS_EPOCH_CACHE_SECONDS (1 s here).
    await expect
      .poll(async () => (await call(`${bobs}240p/seg_00001.m4s`)).status, { timeout: 10_000, interval: 100 })
      .toBe(404);

    const deleted = await publicVideo();
    const alices = await baseFor(deleted, alice.auth);
    expect((await call(`${alices}240p/seg_00001.m4s`)).status).toBe(200);
    const removed = await call(`/api/videos/${deleted}`, { method: "DELETE", headers: alice.auth });
    expect(removed.status).toBe(204);
    expect((await call(`${alices}240p/seg_00001.m4s`)).status).toBe(404);
  });

  it("concurrent misses for one object make one storage read; the others answer from the cache", async () => {
    const id = await publicVideo();
    const bases = await Promise.all([bob.auth, alice.auth, {}].map((auth) => baseFor(id, auth)));
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => call(`${bases[i % 3]}240p/seg_00001.m4s`)),
    );
    const sources = responses.map((r) => r.headers.get("x-media-cache"));
    expect(sources.filter((s) => s === "miss")).toHaveLength(1);
    expect(sources.filter((s) => s === "hit")).toHaveLength(11);
    for (const res of responses) expect(await bytes(res)).toEqual(SEGMENT);
  });
});
