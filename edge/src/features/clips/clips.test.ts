/**
 * Clips (ADR 0027): the range arithmetic on its own (snapping outward to segments, the
 * audio rendition's drifting durations, the cut playlist), then `POST /api/videos/:id/clips`
 * on real D1 and storage — validation, who may clip what, the clip's DTO, its playlists and
 * segments served from the source's files under the clip's own token, and the source's
 * privacy and deletion reaching its clips.
 */
import { env } from "cloudflare:workers";
import type { Rendition } from "@streamline/contracts";
import { beforeEach, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo, repo } from "../../../test/fixtures.ts";
import { call, callJson } from "../../../test/http.ts";
import { services } from "../../lib/services.ts";
import { clipMediaPlaylist, segmentsInRange, snapToSegments } from "../delivery/clip-range.ts";
import { parseMediaPlaylist } from "../delivery/dash-manifest.ts";

function playlist(durations: number[]): string {
  const lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:4", '#EXT-X-MAP:URI="init.mp4"'];
  durations.forEach((d, i) => {
    lines.push(`#EXTINF:${d.toFixed(6)},`, `seg_${String(i).padStart(5, "0")}.m4s`);
  });
  return [...lines, "#EXT-X-ENDLIST", ""].join("\n");
}
const VIDEO = [4, 4, 4, 4, 4, 2];
/** AAC frames (1024 samples at 48 kHz) never land on the 4 s grid exactly. */
const AUDIO = [4.010667, 3.989333, 4.010667, 3.989333, 4.010667, 1.989333];

describe("clip ranges (pure)", () => {
  const video = parseMediaPlaylist(playlist(VIDEO))!;
  const audio = parseMediaPlaylist(playlist(AUDIO))!;

  it("snaps outward to whole segments, and refuses a range past the end", () => {
    expect(snapToSegments(video, { startSec: 5, endSec: 9.5 })).toEqual({ startSec: 4, endSec: 12 });
    expect(snapToSegments(video, { startSec: 4, endSec: 8 })).toEqual({ startSec: 4, endSec: 8 });
    expect(snapToSegments(video, { startSec: 0, endSec: 0.5 })).toEqual({ startSec: 0, endSec: 4 });
    expect(snapToSegments(video, { startSec: 21, endSec: 22 })).toEqual({ startSec: 20, endSec: 22 });
    expect(snapToSegments(video, { startSec: 22, endSec: 30 })).toBeNull();
  });

  it("picks the same segment numbers in the video and the drifting audio rendition", () => {
    const range = { startSec: 4, endSec: 12 };
    expect(segmentsInRange(video, range)).toEqual([1, 2]);
    expect(segmentsInRange(audio, range)).toEqual([1, 2]);
    expect(segmentsInRange(audio, { startSec: 20, endSec: 22 })).toEqual([5]);
  });

  it("writes a VOD playlist of the init segment and the chosen segments only", () => {
    const text = clipMediaPlaylist(video, { startSec: 4, endSec: 12 })!;
    expect(text.split("\n")).toEqual([
      "#EXTM3U",
      "#EXT-X-VERSION:7",
      "#EXT-X-TARGETDURATION:4",
      "#EXT-X-MEDIA-SEQUENCE:1",
      "#EXT-X-PLAYLIST-TYPE:VOD",
      "#EXT-X-INDEPENDENT-SEGMENTS",
      '#EXT-X-MAP:URI="init.mp4"',
      "#EXTINF:4.000000,",
      "seg_00001.m4s",
      "#EXTINF:4.000000,",
      "seg_00002.m4s",
      "#EXT-X-ENDLIST",
      "",
    ]);
    expect(clipMediaPlaylist(video, { startSec: 30, endSec: 40 })).toBeNull();
  });
});

const rung: Rendition = {
  name: "360p",
  kind: "video",
  width: 640,
  height: 360,
  bandwidth: 800_000,
  averageBandwidth: 700_000,
  codecs: "avc1.4d401e,mp4a.40.2",
  frameRate: 30,
  playlist: "360p/index.m3u8",
};
const audioRung: Rendition = {
  ...rung,
  name: "audio",
  kind: "audio",
  width: 0,
  height: 0,
  bandwidth: 130_000,
  averageBandwidth: 128_000,
  codecs: "mp4a.40.2",
  playlist: "audio/index.m3u8",
};
const MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p/index.m3u8\n";

type Dto = {
  id: string;
  status: string;
  visibility: string;
  durationSec: number;
  clipOf?: { videoId: string; startSec: number; endSec: number };
  playback?: { hls: string; dash?: string };
  thumbnailUrl: string | null;
  error?: { code: string; issues?: { path: string }[] };
};

describe("POST /api/videos/:id/clips", () => {
  let owner: TestUser;
  let other: TestUser;
  // Fresh accounts per test: RL_CLIPS allows 10 clips a minute per user.
  beforeEach(async () => {
    [owner, other] = await Promise.all([signUp(), signUp()]);
  });

  async function source(extra: Parameters<typeof insertVideo>[0] = {}) {
    const video = await insertVideo({
      ownerId: owner.id,
      status: "ready",
      playable: true,
      visibility: "public",
      durationSec: 22,
      renditionsJson: JSON.stringify([rung, audioRung]),
      ...extra,
    });
    const { store } = services(env);
    const put = (key: string, body: string | Uint8Array, contentType: string) =>
      store.put(`videos/${video.id}/${key}`, body, { contentType });
    await Promise.all([
      put("360p/index.m3u8", playlist(VIDEO), "application/vnd.apple.mpegurl"),
      put("audio/index.m3u8", playlist(AUDIO), "application/vnd.apple.mpegurl"),
      put("master-final.m3u8", MASTER, "application/vnd.apple.mpegurl"),
      put("360p/seg_00001.m4s", new Uint8Array([7, 7, 7]), "video/iso.segment"),
      put("poster.jpg", new Uint8Array([0xff, 0xd8, 0xff]), "image/jpeg"),
    ]);
    await repo().update(video.id, {
      masterKey: `videos/${video.id}/master-final.m3u8`,
      posterKey: `videos/${video.id}/poster.jpg`,
    });
    return video;
  }

  const clip = (id: string, user: TestUser, json: Record<string, unknown>) =>
    callJson<Dto>(`/api/videos/${id}/clips`, { method: "POST", json, headers: user.auth });

  it("makes a ready, unlisted video over the snapped range, served from the source's files", async () => {
    const src = await source();
    const made = await clip(src.id, owner, { startSec: 5, endSec: 9.5, title: "The middle" });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({
      status: "ready",
      visibility: "unlisted",
      durationSec: 8,
      clipOf: { videoId: src.id, startSec: 4, endSec: 12 },
    });
    expect(made.body.id).not.toBe(src.id);
    expect(made.body.playback?.dash).toBeUndefined();
    const hls = made.body.playback!.hls;
    expect(hls).toMatch(new RegExp(`^/v/${made.body.id}/[^/]+/master\\.m3u8$`));

    const master = await call(hls);
    expect(master.status).toBe(200);
    expect(await master.text()).toBe(MASTER);
    const media = await call(hls.replace("master.m3u8", "360p/index.m3u8"));
    expect(media.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    const text = await media.text();
    expect(text).toContain("#EXT-X-MEDIA-SEQUENCE:1");
    expect(text.match(/seg_\d+\.m4s/g)).toEqual(["seg_00001.m4s", "seg_00002.m4s"]);
    const audio = await (await call(hls.replace("master.m3u8", "audio/index.m3u8"))).text();
    expect(audio.match(/seg_\d+\.m4s/g)).toEqual(["seg_00001.m4s", "seg_00002.m4s"]);
    const segment = await call(hls.replace("master.m3u8", "360p/seg_00001.m4s"));
    expect(segment.status).toBe(200);
    expect(new Uint8Array(await segment.arrayBuffer())).toEqual(new Uint8Array([7, 7, 7]));
    // The source's poster, under the clip's token; no DASH, captions or downloads of its own.
    expect(made.body.thumbnailUrl).toMatch(new RegExp(`^/v/${made.body.id}/[^/]+/poster\\.jpg$`));
    expect((await call(made.body.thumbnailUrl!)).status).toBe(200);
    expect((await call(hls.replace("master.m3u8", "manifest.mpd"))).status).toBe(404);
    expect((await call(`/api/videos/${made.body.id}/download`, { headers: owner.auth })).status).toBe(404);
  });

  it("validates the range: order, length, the source's duration", async () => {
    const src = await source();
    const bad = async (json: Record<string, unknown>) => {
      const res = await clip(src.id, owner, { title: "x", ...json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body.error?.code).toBe("validation_failed");
      return res.body.error?.issues?.map((i) => i.path);
    };
    expect(await bad({ startSec: 8, endSec: 4 })).toEqual(["endSec"]);
    expect(await bad({ startSec: 0, endSec: 61 })).toEqual(["endSec"]);
    expect(await bad({ startSec: -1, endSec: 4 })).toEqual(["startSec"]);
    expect(await bad({ startSec: 10, endSec: 30 })).toEqual(["endSec"]);
    expect(await bad({ startSec: 22, endSec: 23 })).toEqual(["startSec"]);
    expect(await bad({ startSec: 1, endSec: 2, title: "" })).toEqual(["title"]);
    // Within the source's end by less than half a second: clamped, not refused.
    expect((await clip(src.id, owner, { startSec: 20, endSec: 22.3, title: "end" })).body.clipOf).toEqual({
      videoId: src.id,
      startSec: 20,
      endSec: 22,
    });
  });

  it("who may clip: anyone a public video; only the owner an unlisted or private one; never a clip or an unready video", async () => {
    const pub = await source();
    expect((await clip(pub.id, other, { startSec: 0, endSec: 4, title: "theirs" })).status).toBe(201);
    const unlisted = await source({ visibility: "unlisted" });
    expect((await clip(unlisted.id, other, { startSec: 0, endSec: 4, title: "no" })).status).toBe(404);
    expect((await clip(unlisted.id, owner, { startSec: 0, endSec: 4, title: "mine" })).status).toBe(201);
    const hidden = await source({ visibility: "private" });
    expect((await clip(hidden.id, other, { startSec: 0, endSec: 4, title: "no" })).status).toBe(404);
    const busy = await source({ status: "processing" });
    const notReady = await clip(busy.id, owner, { startSec: 0, endSec: 4, title: "no" });
    expect(notReady.status).toBe(409);
    expect(notReady.body.error?.code).toBe("not_ready");
    const first = await clip(pub.id, owner, { startSec: 0, endSec: 4, title: "a clip" });
    const nested = await clip(first.body.id, owner, { startSec: 0, endSec: 2, title: "nested" });
    expect(nested.status).toBe(409);
    expect(nested.body.error?.code).toBe("not_clippable");
    const anon = await call(`/api/videos/${pub.id}/clips`, {
      method: "POST",
      json: { startSec: 0, endSec: 4, title: "anon" },
    });
    expect(anon.status).toBe(401);
  });

  it("a clip is never public; the source made private or deleted takes its clips with it", async () => {
    const src = await source();
    const made = await clip(src.id, other, { startSec: 4, endSec: 8, title: "share" });
    const publish = await callJson<Dto>(`/api/videos/${made.body.id}`, {
      method: "PATCH",
      json: { visibility: "public" },
      headers: other.auth,
    });
    expect(publish.status).toBe(400);
    const hls = made.body.playback!.hls;
    expect((await call(hls.replace("master.m3u8", "360p/index.m3u8"))).status).toBe(200);

    await call(`/api/videos/${src.id}`, {
      method: "PATCH",
      json: { visibility: "private" },
      headers: owner.auth,
    });
    expect((await call(hls.replace("master.m3u8", "360p/index.m3u8"))).status).toBe(404);
    expect((await call(hls)).status).toBe(404);
    expect((await call(`/api/videos/${made.body.id}`, { headers: other.auth })).status).toBe(404);
    await call(`/api/videos/${src.id}`, {
      method: "PATCH",
      json: { visibility: "public" },
      headers: owner.auth,
    });
    expect((await call(hls)).status).toBe(200);

    expect((await call(`/api/videos/${src.id}`, { method: "DELETE", headers: owner.auth })).status).toBe(204);
    expect((await call(`/api/videos/${made.body.id}`)).status).toBe(404);
    expect((await call(hls)).status).toBe(404);
  });
});
