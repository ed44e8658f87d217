/**
 * Issue 11, hole 5: links handed out before a video turned private stop resolving — for
 * segments, init files, posters, sprites and WebVTT, not just playlists — within
 * ACCESS_EPOCH_CACHE_SECONDS (1 s in the test Worker), and nothing is cacheable longer
 * than that by a shared cache.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { MASTER_240P, PLAYLIST_240P, publishVideo } from "../../../test/fixtures.ts";
import { call, callJson } from "../../../test/http.ts";
import { newVideoId } from "../../lib/ids.ts";
import { services } from "../../lib/services.ts";

/** The test Worker's ACCESS_EPOCH_CACHE_SECONDS (vitest.config.ts). */
const BOUND_MS = 1000;

type Dto = { playback?: { hls: string }; thumbnailUrl: string | null; trickplayUrl: string | null };

const FILES = {
  master: "master.m3u8",
  playlist: "240p/index.m3u8",
  init: "240p/init.mp4",
  segment: "240p/seg_00001.m4s",
  poster: "poster.jpg",
  sprite: "trickplay/sprite_0.jpg",
  vtt: "trickplay/thumbnails.vtt",
  caption: "captions/en.vtt",
} as const;
type File = keyof typeof FILES;
/** What is read through the epoch cache (everything but playlists and text tracks). */
const CACHED: File[] = ["init", "segment", "poster", "sprite"];

let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  alice = await signUp();
  bob = await signUp();
});

async function publicVideo() {
  const id = newVideoId();
  const bodies: Record<File, string | Uint8Array> = {
    master: MASTER_240P,
    playlist: PLAYLIST_240P,
    init: new Uint8Array(32),
    segment: new Uint8Array(64),
    poster: new Uint8Array(16),
    sprite: new Uint8Array(16),
    vtt: "WEBVTT\n\n00:00.000 --> 00:02.000\nsprite_0.jpg#xywh=0,0,160,90\n",
    caption: "WEBVTT\n\n00:00.000 --> 00:02.000\nhello\n",
  };
  return publishVideo(
    alice.id,
    Object.fromEntries(Object.entries(bodies).map(([file, body]) => [FILES[file as File], body])),
    { id, posterKey: `videos/${id}/poster.jpg`, trickplayKey: `videos/${id}/trickplay/thumbnails.vtt` },
  );
}

/** Every file's signed URL for one viewer, as the metadata hands them out. */
async function linksFor(videoId: string, auth: Record<string, string>) {
  const meta = await callJson<Dto>(`/api/videos/${videoId}`, { headers: auth });
  expect(meta.status).toBe(200);
  const base = meta.body.playback!.hls.replace("master.m3u8", "");
  expect(meta.body.thumbnailUrl).toBe(`${base}poster.jpg`);
  expect(meta.body.trickplayUrl).toBe(`${base}trickplay/thumbnails.vtt`);
  return Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, base + f])) as Record<File, string>;
}

async function statuses(links: Record<File, string>, files: readonly File[] = Object.keys(FILES) as File[]) {
  const out: Partial<Record<File, number>> = {};
  for (const f of files) {
    const res = await call(links[f]);
    await res.body?.cancel();
    out[f] = res.status;
  }
  return out;
}
const all = (status: number, files: readonly File[] = Object.keys(FILES) as File[]) =>
  Object.fromEntries(files.map((f) => [f, status]));

const makePrivate = (videoId: string) =>
  call(`/api/videos/${videoId}`, { method: "PATCH", json: { visibility: "private" }, headers: alice.auth });
const makePublic = (videoId: string) =>
  call(`/api/videos/${videoId}`, { method: "PATCH", json: { visibility: "public" }, headers: alice.auth });

describe("playback links after a video turns private (hole 5)", () => {
  it("every file of an old link is 404 at once in the isolate that made the change", async () => {
    const video = await publicVideo();
    const bobs = await linksFor(video.id, bob.auth);
    const anonymous = await linksFor(video.id, {});
    expect(await statuses(bobs)).toEqual(all(200));
    expect(await statuses(anonymous)).toEqual(all(200));

    expect((await makePrivate(video.id)).status).toBe(200);
    for (const links of [bobs, anonymous]) {
      expect(await statuses(links)).toEqual(all(404));
      const res = await callJson<{ error: { code: string } }>(links.segment);
      expect(res.body.error.code).toBe("not_found");
      expect(res.res.headers.get("access-control-allow-origin")).toBe("*");
    }
  });

  it("another isolate's change reaches segments, posters and sprites within the bound, playlists at once", async () => {
    const video = await publicVideo();
    const bobs = await linksFor(video.id, bob.auth);
    expect(await statuses(bobs)).toEqual(all(200)); // this isolate now caches the epoch
    // What another isolate's PATCH leaves in D1 (this isolate's cache does not hear of it).
    await services(env)
      .db.$client.prepare(
        "update videos set visibility = 'private', access_epoch = access_epoch + 1 where id = ?",
      )
      .bind(video.id)
      .run();
    const changedAt = Date.now();
    // Segments and images first: a playlist request would refresh this isolate's cache.
    await expect
      .poll(() => statuses(bobs, CACHED), { timeout: BOUND_MS * 4, interval: 50 })
      .toEqual(all(404, CACHED));
    // Refused within the bound (plus the poll's step and the requests' own time on a busy machine).
    expect(Date.now() - changedAt).toBeLessThanOrEqual(BOUND_MS * 2);
    const fresh: File[] = ["master", "playlist", "vtt", "caption"];
    expect(await statuses(bobs, fresh)).toEqual(all(404, fresh));
  });

  it("playlists and text tracks see another isolate's change at once", async () => {
    const video = await publicVideo();
    const bobs = await linksFor(video.id, bob.auth);
    expect(await statuses(bobs)).toEqual(all(200));
    await services(env)
      .db.$client.prepare(
        "update videos set visibility = 'private', access_epoch = access_epoch + 1 where id = ?",
      )
      .bind(video.id)
      .run();
    for (const f of ["vtt", "caption", "playlist", "master"] as const) {
      expect((await call(bobs[f])).status, f).toBe(404);
    }
  });

  it("the owner keeps access: old links and fresh ones under the new epoch", async () => {
    const video = await publicVideo();
    const before = await linksFor(video.id, alice.auth);
    await makePrivate(video.id);
    const after = await linksFor(video.id, alice.auth);
    expect(after.segment).not.toBe(before.segment);
    expect(await statuses(after)).toEqual(all(200));
    expect(await statuses(before)).toEqual(all(200));
  });

  it("making the video public again does not bring old links back; new ones work", async () => {
    const video = await publicVideo();
    const bobs = await linksFor(video.id, bob.auth);
    await makePrivate(video.id);
    await makePublic(video.id);
    // `statuses` asks for the master first, which re-reads the row: every later check sees
    // the video public again, and still refuses tokens from before the epoch moved on.
    expect(await statuses(bobs)).toEqual(all(404));
    expect(await statuses(await linksFor(video.id, bob.auth))).toEqual(all(200));
    // Public → unlisted takes nobody's access away (anyone with the id may watch): old links live on.
    const fresh = await linksFor(video.id, {});
    await call(`/api/videos/${video.id}`, {
      method: "PATCH",
      json: { visibility: "unlisted" },
      headers: alice.auth,
    });
    expect(await statuses(fresh)).toEqual(all(200));
  });

  it("a deleted video's links are 404 for everyone, the owner too", async () => {
    const video = await publicVideo();
    const alices = await linksFor(video.id, alice.auth);
    const bobs = await linksFor(video.id, bob.auth);
    expect((await call(`/api/videos/${video.id}`, { method: "DELETE", headers: alice.auth })).status).toBe(
      204,
    );
    expect(await statuses(bobs, CACHED)).toEqual(all(404, CACHED));
    expect(await statuses(alices, CACHED)).toEqual(all(404, CACHED));
  });

  it("no response may be kept by a shared cache, and nothing that re-checks is cached for a year", async () => {
    const video = await publicVideo();
    const links = await linksFor(video.id, bob.auth);
    const policy: Partial<Record<File, string | null>> = {};
    for (const f of Object.keys(FILES) as File[]) {
      const res = await call(links[f]);
      await res.body?.cancel();
      policy[f] = res.headers.get("cache-control");
    }
    expect(policy).toEqual({
      master: "no-cache",
      playlist: "private, max-age=2, stale-while-revalidate=2",
      // Browser-only for good: the URL holds the token, so a new epoch means new URLs.
      init: "private, max-age=31536000, immutable",
      segment: "private, max-age=31536000, immutable",
      poster: "private, max-age=31536000, immutable",
      sprite: "private, max-age=31536000, immutable",
      vtt: "private, max-age=60",
      caption: "private, max-age=60",
    });
  });
});
