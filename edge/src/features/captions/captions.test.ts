import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { call, callJson } from "../../../test/http.ts";
import { services } from "../../lib/services.ts";
import { CaptionFormatError, toWebVtt, withSubtitles } from "./caption-format.ts";

const SRT = `1
00:00:01,000 --> 00:00:03,500
Hello <font color="red">world</font>

2
00:00:04,000 --> 00:00:06,000
Second line
with two rows
`;

const MASTER = [
  "#EXTM3U",
  "#EXT-X-VERSION:7",
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Audio",DEFAULT=YES,URI="audio/index.m3u8"',
  '#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=640x360,AUDIO="aud"',
  "360p/index.m3u8",
  '#EXT-X-STREAM-INF:BANDWIDTH=130000,CODECS="mp4a.40.2",AUDIO="aud"',
  "audio/index.m3u8",
  "",
].join("\n");

describe("caption format", () => {
  it("converts SubRip to WebVTT, dropping non-WebVTT markup", () => {
    const { vtt, cues, endSec } = toWebVtt(SRT);
    expect(cues).toBe(2);
    expect(endSec).toBe(6);
    expect(vtt).toBe(
      "WEBVTT\n\n00:00:01.000 --> 00:00:03.500\nHello world\n\n00:00:04.000 --> 00:00:06.000\nSecond line\nwith two rows\n",
    );
  });

  it("keeps valid WebVTT cue settings and skips NOTE blocks", () => {
    const { vtt, cues } = toWebVtt(
      "WEBVTT\n\nNOTE a comment\n\n00:01.000 --> 00:02.000 line:0 align:start\n<i>hi</i>\n",
    );
    expect(cues).toBe(1);
    expect(vtt).toContain("00:00:01.000 --> 00:00:02.000 line:0 align:start\n<i>hi</i>");
  });

  it.each([
    ["", /empty/],
    ["1\n00:00:05,000 --> 00:00:04,000\nbackwards\n", /ends .* before it starts/],
    ["1\n00:00:xx,000 --> 00:00:04,000\nbad\n", /bad timing line/],
    ["just some text\nwithout cues\n", /no "start --> end" timing line/],
    ["WEBVTT\n\n", /no cues/],
  ])("rejects %j with a reason", (input, reason) => {
    expect(() => toWebVtt(input)).toThrow(CaptionFormatError);
    expect(() => toWebVtt(input)).toThrow(reason);
  });

  it("adds a SUBTITLES group to video variants only", () => {
    const out = withSubtitles(MASTER, [{ lang: "en", label: "English", isDefault: true }]);
    expect(out).toContain(
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,URI="captions/en.m3u8"',
    );
    expect(out).toContain('RESOLUTION=640x360,AUDIO="aud",SUBTITLES="subs"');
    expect(out).toContain('#EXT-X-STREAM-INF:BANDWIDTH=130000,CODECS="mp4a.40.2",AUDIO="aud"\n');
    expect(withSubtitles(MASTER, [])).toBe(MASTER);
  });
});

describe("caption tracks", () => {
  let owner: TestUser;
  let stranger: TestUser;
  let videoId: string;

  beforeAll(async () => {
    owner = await signUp();
    stranger = await signUp();
    const video = await insertVideo({
      ownerId: owner.id,
      status: "ready",
      playable: true,
      durationSec: 10,
      visibility: "public",
    });
    videoId = video.id;
    const { store, db } = services(env);
    await store.put(`videos/${videoId}/master.m3u8`, MASTER, {
      contentType: "application/vnd.apple.mpegurl",
    });
    await db.$client
      .prepare("update videos set master_key = ? where id = ?")
      .bind(`videos/${videoId}/master.m3u8`, videoId)
      .run();
  });

  it("the owner uploads SRT; viewers get WebVTT through the signed master's SUBTITLES group", async () => {
    const put = await callJson<{ lang: string; cues: number }>(
      `/api/videos/${videoId}/captions/en?label=English&default=true`,
      {
        method: "PUT",
        body: SRT,
        headers: { ...owner.auth, "content-type": "application/x-subrip" },
      },
    );
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ lang: "en", cues: 2 });

    const list = await callJson<{ captions: { lang: string; label: string; default: boolean }[] }>(
      `/api/videos/${videoId}/captions`,
    );
    expect(list.body.captions).toEqual([{ lang: "en", label: "English", default: true, cues: 2 }]);

    const meta = await callJson<{ playback: { hls: string } }>(`/api/videos/${videoId}`);
    const master = await (await call(meta.body.playback.hls)).text();
    expect(master).toContain('TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES');
    const base = meta.body.playback.hls.replace("master.m3u8", "");
    const playlist = await call(`${base}captions/en.m3u8`);
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toContain("#EXTINF:10.000,\nen.vtt");
    const vtt = await call(`${base}captions/en.vtt`);
    expect(vtt.headers.get("content-type")).toBe("text/vtt; charset=utf-8");
    expect(await vtt.text()).toMatch(/^WEBVTT\n\n00:00:01\.000 --> 00:00:03\.500\nHello world/);
  });

  it("refuses invalid files (422), non-text types (415), bad languages (400) and oversize files (413)", async () => {
    const put = (path: string, body: string | Uint8Array, type = "text/vtt") =>
      callJson<{ error: { code: string; message: string } }>(path, {
        method: "PUT",
        body,
        headers: { ...owner.auth, "content-type": type },
      });
    const bad = await put(`/api/videos/${videoId}/captions/de`, "1\n00:00:05,000 --> 00:00:04,000\nx\n");
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/cue 1: ends/);
    expect((await put(`/api/videos/${videoId}/captions/de`, "x", "image/png")).status).toBe(415);
    expect((await put(`/api/videos/${videoId}/captions/not_a_lang!`, SRT)).status).toBe(400);
    expect(
      (await put(`/api/videos/${videoId}/captions/de`, new Uint8Array(1024 * 1024 + 10).fill(65))).status,
    ).toBe(413);
  });

  it("only the owner can add or remove tracks: anyone else gets 404 (IDOR)", async () => {
    const put = await call(`/api/videos/${videoId}/captions/fr`, {
      method: "PUT",
      body: SRT,
      headers: { ...stranger.auth, "content-type": "text/vtt" },
    });
    expect(put.status).toBe(404);
    const del = await call(`/api/videos/${videoId}/captions/en`, {
      method: "DELETE",
      headers: stranger.auth,
    });
    expect(del.status).toBe(404);
    expect((await call(`/api/videos/${videoId}/captions/en`, { method: "PUT", body: SRT })).status).toBe(401);
  });

  it("refuses a label with control characters (400 validation_failed): it becomes a playlist line", async () => {
    const res = await callJson<{ error: { code: string; issues?: { path: string }[] } }>(
      `/api/videos/${videoId}/captions/fr?label=Fran%0D%0A%23EXT-X-ENDLIST`,
      { method: "PUT", body: SRT, headers: { ...owner.auth, "content-type": "text/plain" } },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.issues?.map((i) => i.path)).toContain("label");
  });

  it("deleting a track removes it from the master", async () => {
    await call(`/api/videos/${videoId}/captions/es?label=Espa%C3%B1ol`, {
      method: "PUT",
      body: SRT,
      headers: { ...owner.auth, "content-type": "text/plain" },
    });
    expect(
      (await call(`/api/videos/${videoId}/captions/es`, { method: "DELETE", headers: owner.auth })).status,
    ).toBe(204);
    const meta = await callJson<{ playback: { hls: string } }>(`/api/videos/${videoId}`);
    const master = await (await call(meta.body.playback.hls)).text();
    expect(master).not.toContain('LANGUAGE="es"');
    expect(master).toContain('LANGUAGE="en"');
  });
});
