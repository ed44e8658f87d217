/**
 * DASH beside HLS (ADR 0026): the manifest builder on its own (timeline, templates, codec
 * families, durations), then `manifest.mpd` through the signed delivery route of a ready
 * video whose media playlists sit in storage.
 */
import { env } from "cloudflare:workers";
import type { Rendition } from "@streamline/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import { insertVideo } from "../../../test/fixtures.ts";
import { call, callJson } from "../../../test/http.ts";
import { services } from "../../lib/services.ts";
import { buildMpd, isoDuration, parseMediaPlaylist, timelineOf } from "./dash-manifest.ts";

function playlist(durations: number[], first = 1, init = "init.mp4"): string {
  const lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:4", `#EXT-X-MAP:URI="${init}"`];
  durations.forEach((d, i) => {
    lines.push(`#EXTINF:${d.toFixed(6)},`, `seg_${String(first + i).padStart(5, "0")}.m4s`);
  });
  return [...lines, "#EXT-X-ENDLIST", ""].join("\n");
}

const rung = (name: string, height: number, bandwidth: number, codecs: string): Rendition => ({
  name,
  kind: "video",
  width: Math.round((height * 16) / 9),
  height,
  bandwidth,
  averageBandwidth: bandwidth,
  codecs,
  frameRate: 30,
  playlist: `${name}/index.m3u8`,
});
const audio: Rendition = {
  name: "audio",
  kind: "audio",
  width: 0,
  height: 0,
  bandwidth: 130_000,
  averageBandwidth: 128_000,
  codecs: "mp4a.40.2",
  frameRate: 0,
  playlist: "audio/index.m3u8",
};

describe("the DASH manifest builder", () => {
  it("run-length encodes equal durations and never lets rounding accumulate", () => {
    // 100 frames at 30 fps: 3.333333 s each. Exact ends 3333.333, 6666.666, 9999.999, 10999.999
    // round to 3333, 6667, 10000, 11000: durations alternate instead of drifting.
    const info = parseMediaPlaylist(playlist([3.333333, 3.333333, 3.333333, 1]))!;
    const tl = timelineOf(info)!;
    expect(tl.media).toBe("seg_$Number%05d$.m4s");
    expect(tl.startNumber).toBe(1);
    expect(tl.entries).toEqual([
      { t: 0, d: 3333, r: 0 },
      { d: 3334, r: 0 },
      { d: 3333, r: 0 },
      { d: 1000, r: 0 },
    ]);
    expect(tl.totalMs).toBe(11000);
    const even = timelineOf(parseMediaPlaylist(playlist([4, 4, 4, 2]))!)!;
    expect(even.entries).toEqual([
      { t: 0, d: 4000, r: 2 },
      { d: 2000, r: 0 },
    ]);
  });

  it("refuses playlists it cannot template (gaps, foreign names) and empty ones", () => {
    const gap = playlist([4, 4]).replace("seg_00002.m4s", "seg_00003.m4s");
    expect(timelineOf(parseMediaPlaylist(gap)!)).toBeNull();
    expect(timelineOf(parseMediaPlaylist(playlist([4]).replace("seg_00001.m4s", "chunk.m4s"))!)).toBeNull();
    expect(parseMediaPlaylist("#EXTM3U\n#EXT-X-ENDLIST\n")).toBeNull();
  });

  it("groups renditions by codec family, audio apart, with CODECS stripped of the audio", () => {
    const p = parseMediaPlaylist(playlist([4, 4, 2]))!;
    const mpd = buildMpd([
      { rendition: rung("720p", 720, 2_800_000, "avc1.64001f,mp4a.40.2"), dir: "720p", playlist: p },
      { rendition: rung("360p", 360, 800_000, "avc1.4d401e,mp4a.40.2"), dir: "360p", playlist: p },
      {
        rendition: rung("720p-av1", 720, 1_500_000, "av01.0.05M.08,mp4a.40.2"),
        dir: "720p-av1",
        playlist: p,
      },
      { rendition: audio, dir: "audio", playlist: p },
    ])!;
    expect(mpd).toContain('mediaPresentationDuration="PT10S"');
    const sets = mpd.split("<AdaptationSet").slice(1);
    expect(sets).toHaveLength(3);
    expect(sets[0]).toContain('contentType="video"');
    // Lowest bandwidth first inside a set.
    expect(sets[0]!.indexOf('id="360p"')).toBeLessThan(sets[0]!.indexOf('id="720p"'));
    expect(sets[0]).toContain('codecs="avc1.4d401e"');
    expect(sets[1]).toContain('codecs="av01.0.05M.08"');
    expect(sets[2]).toContain('contentType="audio"');
    expect(sets[2]).toContain('codecs="mp4a.40.2"');
    expect(mpd).toContain('initialization="360p/init.mp4" media="360p/seg_$Number%05d$.m4s" startNumber="1"');
  });

  it("writes ISO 8601 durations", () => {
    expect(isoDuration(64_533)).toBe("PT1M4.533S");
    expect(isoDuration(3_600_000)).toBe("PT1H0S");
    expect(isoDuration(75_000)).toBe("PT1M15S");
  });
});

describe("GET /v/:id/:token/manifest.mpd", () => {
  let ready: { id: string; dash: string };
  beforeAll(async () => {
    const video = await insertVideo({
      status: "ready",
      playable: true,
      renditionsJson: JSON.stringify([rung("360p", 360, 800_000, "avc1.4d401e,mp4a.40.2"), audio]),
    });
    const { store } = services(env);
    for (const dir of ["360p", "audio"])
      await store.put(`videos/${video.id}/${dir}/index.m3u8`, playlist([4, 4, 3.5]), {
        contentType: "application/vnd.apple.mpegurl",
      });
    const meta = await callJson<{ playback: { hls: string; dash?: string } }>(`/api/videos/${video.id}`);
    ready = { id: video.id, dash: meta.body.playback.dash! };
  });

  it("is offered beside HLS under the same token, and serves an MPD of the stored files", async () => {
    expect(ready.dash).toMatch(new RegExp(`^/v/${ready.id}/[^/]+/manifest\\.mpd$`));
    const res = await call(ready.dash);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/dash+xml");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const mpd = await res.text();
    expect(mpd).toContain('mediaPresentationDuration="PT11.5S"');
    expect(mpd).toContain('media="360p/seg_$Number%05d$.m4s"');
    expect(mpd).toContain('media="audio/seg_$Number%05d$.m4s"');
  });

  it("is not offered or served before the video is ready", async () => {
    const video = await insertVideo({ status: "processing", playable: true });
    const meta = await callJson<{ playback: { hls: string; dash?: string } }>(`/api/videos/${video.id}`);
    expect(meta.body.playback.hls).toBeTruthy();
    expect(meta.body.playback.dash).toBeUndefined();
    const res = await call(meta.body.playback.hls.replace("master.m3u8", "manifest.mpd"));
    expect(res.status).toBe(404);
  });

  it("needs a valid token like every other file", async () => {
    const forged = ready.dash.replace(/\/v\/([^/]+)\/[^/]+\//, "/v/$1/not-a-token/");
    expect((await call(forged)).status).toBe(403);
  });
});
