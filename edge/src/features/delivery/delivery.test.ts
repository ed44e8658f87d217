import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { insertVideo } from "../../../test/fixtures.ts";
import { call, callJson } from "../../../test/http.ts";
import { TEST_SECRETS } from "../../../test/secrets.ts";
import { services } from "../../lib/services.ts";
import { signPlaybackToken } from "../../lib/tokens.ts";

const MASTER =
  '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.64001f",RESOLUTION=640x360\n360p/index.m3u8\n';
const SEGMENT = new Uint8Array(Array.from({ length: 1000 }, (_, i) => i % 256));

let videoId: string;
let hls: string;

beforeAll(async () => {
  const video = await insertVideo({
    status: "ready",
    playable: true,
    masterKey: "",
    posterKey: null,
  });
  videoId = video.id;
  const { store, db } = services(env);
  await store.put(`videos/${videoId}/master.m3u8`, MASTER, { contentType: "application/vnd.apple.mpegurl" });
  await store.put(`videos/${videoId}/360p/seg_00001.m4s`, SEGMENT, { contentType: "video/iso.segment" });
  await db.$client
    .prepare("update videos set master_key = ? where id = ?")
    .bind(`videos/${videoId}/master.m3u8`, videoId)
    .run();
  const meta = await callJson<{ playback: { hls: string; expiresAt: string } }>(`/api/videos/${videoId}`);
  hls = meta.body.playback.hls;
});

describe("signed delivery", () => {
  it("metadata carries a signed master URL that expires within 6 hours", async () => {
    expect(hls).toMatch(new RegExp(`^/v/${videoId}/[^/]+/master\\.m3u8$`));
    const meta = await callJson<{ playback: { expiresAt: string } }>(`/api/videos/${videoId}`);
    const ttl = new Date(meta.body.playback.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(6 * 3600_000);
  });

  it("serves the master with the playlist MIME type, no-cache and CORS", async () => {
    const res = await call(hls);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(await res.text()).toBe(MASTER);
  });

  it("serves segments immutable, whole and by Range", async () => {
    const seg = hls.replace("master.m3u8", "360p/seg_00001.m4s");
    const whole = await call(seg);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("video/iso.segment");
    expect(whole.headers.get("cache-control")).toContain("immutable");
    expect(whole.headers.get("accept-ranges")).toBe("bytes");
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(SEGMENT);

    const part = await call(seg, { headers: { range: "bytes=100-199" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 100-199/1000");
    expect(part.headers.get("content-length")).toBe("100");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(SEGMENT.slice(100, 200));

    const tail = await call(seg, { headers: { range: "bytes=-10" } });
    expect(tail.status).toBe(206);
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(SEGMENT.slice(990));

    expect((await call(seg, { headers: { range: "bytes=5000-6000" } })).status).toBe(416);
  });

  it("answers HEAD and CORS preflight", async () => {
    const head = await call(hls, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(MASTER.length));
    const pre = await call(hls, {
      method: "OPTIONS",
      headers: { origin: "https://player.example", "access-control-request-headers": "range" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-headers")).toContain("range");
  });

  it("refuses wrong, expired and other-video tokens with 403", async () => {
    const token = hls.split("/")[3]!;
    const other = await signPlaybackToken(TEST_SECRETS.DELIVERY_SECRET, "v_zzzzzzzzzzzzzzzz", 600);
    const expired = await signPlaybackToken(TEST_SECRETS.DELIVERY_SECRET, videoId, 60, Date.now() - 3600_000);
    const cases = [
      [`/v/${videoId}/${token.slice(0, -2)}xx/master.m3u8`, "forbidden"],
      [`/v/${videoId}/${other.token}/master.m3u8`, "forbidden"],
      [`/v/${videoId}/${expired.token}/master.m3u8`, "token_expired"],
      [`/v/${videoId}/garbage/master.m3u8`, "forbidden"],
    ] as const;
    for (const [path, code] of cases) {
      const res = await callJson<{ error: { code: string } }>(path);
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe(code);
    }
  });

  it("404s for missing files and refuses path tricks", async () => {
    const base = hls.replace("master.m3u8", "");
    expect((await call(`${base}360p/seg_09999.m4s`)).status).toBe(404);
    expect((await call(`${base}..%2F..%2Fuploads/source`)).status).toBe(404);
    expect((await call(`${base}360p/evil.exe`)).status).toBe(404);
  });

  it("the playlist shortcut redirects to a freshly signed master", async () => {
    const res = await call(`/api/videos/${videoId}/playlist.m3u8`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(new RegExp(`^/v/${videoId}/[^/]+/master\\.m3u8$`));
  });
});
