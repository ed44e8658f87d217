import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bearer, call, callJson, signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import type { VideoRow } from "../../db/schema.ts";
import { newVideoId } from "../../lib/ids.ts";
import { services } from "../../lib/services.ts";

type Viewer = "owner" | "other" | "anonymous";
type Dto = { id: string; playback?: { hls: string }; thumbnailUrl: string | null };

let clock = Date.now();
/** Strictly increasing creation times, so "newest first" is well defined. */
const nextCreatedAt = () => ++clock;

async function readyVideo(owner: TestUser, visibility: VideoRow["visibility"]) {
  const id = newVideoId();
  return insertVideo({
    id,
    createdAt: nextCreatedAt(),
    ownerId: owner.id,
    visibility,
    status: "ready",
    playable: true,
    masterKey: `videos/${id}/master.m3u8`,
    posterKey: `videos/${id}/poster.jpg`,
  });
}

/** Who may see what: private → owner only; unlisted → anyone with the link; public → all. */
const EXPECTED: Record<VideoRow["visibility"], Record<Viewer, boolean>> = {
  public: { owner: true, other: true, anonymous: true },
  unlisted: { owner: true, other: true, anonymous: true },
  private: { owner: true, other: false, anonymous: false },
};

describe("video visibility", () => {
  let owner: TestUser;
  let other: TestUser;
  const headersFor = (viewer: Viewer) =>
    viewer === "owner" ? owner.auth : viewer === "other" ? other.auth : {};

  it.each(["public", "unlisted", "private"] as const)(
    "%s: metadata and signed playback only for those who may see it",
    async (visibility) => {
      owner ??= await signUp();
      other ??= await signUp();
      const video = await readyVideo(owner, visibility);
      for (const viewer of ["owner", "other", "anonymous"] as const) {
        const allowed = EXPECTED[visibility][viewer];
        const meta = await callJson<Dto & { error: { code: string } }>(`/api/videos/${video.id}`, {
          headers: headersFor(viewer),
        });
        expect(meta.status, `${visibility}/${viewer} metadata`).toBe(allowed ? 200 : 404);
        if (allowed) {
          expect(meta.body.playback?.hls, `${visibility}/${viewer}`).toMatch(new RegExp(`^/v/${video.id}/`));
          expect(meta.body.thumbnailUrl).toMatch(/poster\.jpg$/);
        } else {
          // Indistinguishable from a video that never existed: no token, no title, nothing.
          const missing = await callJson(`/api/videos/v_0000000000000000`, { headers: headersFor(viewer) });
          expect(meta.body).toEqual(missing.body);
          expect(JSON.stringify(meta.body)).not.toContain("/v/");
        }
        const playlist = await call(`/api/videos/${video.id}/playlist.m3u8`, {
          headers: headersFor(viewer),
          redirect: "manual",
        });
        expect(playlist.status, `${visibility}/${viewer} playlist`).toBe(allowed ? 302 : 404);
        if (!allowed) expect(playlist.headers.get("location")).toBeNull();
      }
    },
  );

  it("only public, ready videos are listed; the owner sees all of theirs (any status) under /api/me/videos", async () => {
    const alice = await signUp();
    const bob = await signUp();
    const pub = await readyVideo(alice, "public");
    const unlisted = await readyVideo(alice, "unlisted");
    const priv = await readyVideo(alice, "private");
    const processing = await insertVideo({
      ownerId: alice.id,
      visibility: "private",
      status: "processing",
      createdAt: nextCreatedAt(),
    });
    const uploading = await insertVideo({
      ownerId: alice.id,
      visibility: "public",
      status: "uploading",
      createdAt: nextCreatedAt(),
    });
    const bobs = await readyVideo(bob, "public");

    for (const headers of [{}, bob.auth, alice.auth]) {
      const listed = await callJson<{ videos: Dto[] }>("/api/videos?limit=100", { headers });
      const ids = listed.body.videos.map((v) => v.id);
      expect(ids).toContain(pub.id);
      expect(ids).toContain(bobs.id);
      for (const hidden of [unlisted, priv, processing, uploading]) expect(ids).not.toContain(hidden.id);
    }

    const mine = await callJson<{ videos: (Dto & { status: string })[] }>("/api/me/videos", {
      headers: alice.auth,
    });
    expect(mine.status).toBe(200);
    expect(mine.body.videos.map((v) => v.id)).toEqual([
      uploading.id,
      processing.id,
      priv.id,
      unlisted.id,
      pub.id,
    ]);
    expect(mine.body.videos.find((v) => v.id === priv.id)?.playback).toBeTruthy();
    const bobsOwn = await callJson<{ videos: Dto[] }>("/api/me/videos?limit=5", { headers: bob.auth });
    expect(bobsOwn.body.videos.map((v) => v.id)).toEqual([bobs.id]);
    expect((await call("/api/me/videos")).status).toBe(401);
    expect((await call("/api/me/videos?limit=0", { headers: alice.auth })).status).toBe(400);
  });

  it("a bad token on a public read is refused, not silently treated as anonymous", async () => {
    const alice = await signUp();
    const video = await readyVideo(alice, "public");
    const res = await callJson<{ error: { code: string } }>(`/api/videos/${video.id}`, {
      headers: bearer("garbage"),
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_token");
  });

  it("making a video private hides it from everyone else at once", async () => {
    const alice = await signUp();
    const bob = await signUp();
    const video = await readyVideo(alice, "public");
    expect((await call(`/api/videos/${video.id}`, { headers: bob.auth })).status).toBe(200);
    const patched = await callJson<{ visibility: string }>(`/api/videos/${video.id}`, {
      method: "PATCH",
      json: { visibility: "private" },
      headers: alice.auth,
    });
    expect(patched.body.visibility).toBe("private");
    expect((await call(`/api/videos/${video.id}`, { headers: bob.auth })).status).toBe(404);
    expect((await call(`/api/videos/${video.id}`)).status).toBe(404);
    expect((await call(`/api/videos/${video.id}`, { headers: alice.auth })).status).toBe(200);
  });

  it("links handed out before a video turned private stop resolving, except the owner's", async () => {
    const alice = await signUp();
    const bob = await signUp();
    const video = await readyVideo(alice, "public");
    const { store } = services(env);
    const master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=400000\n240p/index.m3u8\n";
    await store.put(`videos/${video.id}/master.m3u8`, master, {
      contentType: "application/vnd.apple.mpegurl",
    });
    await store.put(`videos/${video.id}/240p/index.m3u8`, "#EXTM3U\n#EXT-X-ENDLIST\n");
    await store.put(`videos/${video.id}/240p/seg_00001.m4s`, new Uint8Array(64));
    const hlsFor = async (auth: Record<string, string>) =>
      (await callJson<Dto>(`/api/videos/${video.id}`, { headers: auth })).body.playback!.hls;
    const bobs = await hlsFor(bob.auth);
    const anonymous = await hlsFor({});
    const alices = await hlsFor(alice.auth);
    for (const hls of [bobs, anonymous, alices]) expect((await call(hls)).status).toBe(200);

    await call(`/api/videos/${video.id}`, {
      method: "PATCH",
      json: { visibility: "private" },
      headers: alice.auth,
    });
    for (const hls of [bobs, anonymous]) {
      const res = await callJson<{ error: { code: string } }>(hls);
      expect(res.status, hls).toBe(404);
      expect(res.body.error.code).toBe("not_found");
      expect(res.res.headers.get("access-control-allow-origin")).toBe("*");
      expect((await call(hls.replace("master.m3u8", "240p/index.m3u8"))).status).toBe(404);
    }
    // The owner keeps playing; everyone else's segments are refused too (delivery/revocation.test.ts).
    expect(await (await call(alices)).text()).toBe(master);
    expect((await call(alices.replace("master.m3u8", "240p/index.m3u8"))).status).toBe(200);
    expect((await call(alices.replace("master.m3u8", "240p/seg_00001.m4s"))).status).toBe(200);
    expect((await call(anonymous.replace("master.m3u8", "240p/seg_00001.m4s"))).status).toBe(404);

    // Back to unlisted: the old links stay dead (the access epoch moved on); new ones work.
    await call(`/api/videos/${video.id}`, {
      method: "PATCH",
      json: { visibility: "unlisted" },
      headers: alice.auth,
    });
    expect((await call(bobs)).status).toBe(404);
    expect((await call(await hlsFor(bob.auth))).status).toBe(200);
  });

  it("says whether the caller owns the video", async () => {
    const alice = await signUp();
    const bob = await signUp();
    const video = await readyVideo(alice, "public");
    const owned = async (auth: Record<string, string>) =>
      (await callJson<{ owned: boolean }>(`/api/videos/${video.id}`, { headers: auth })).body.owned;
    expect(await owned(alice.auth)).toBe(true);
    expect(await owned(bob.auth)).toBe(false);
    expect(await owned({})).toBe(false);
  });
});
