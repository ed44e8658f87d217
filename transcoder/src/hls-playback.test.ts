/**
 * What we publish, played by hls.js in Chromium (playwright-core): the first master of a
 * video that is still growing (EVENT playlists without #EXT-X-ENDLIST) starts at 0 —
 * not at the live edge — and plays with its demuxed AAC rendition; the final master
 * plays too, with a caption track in the SUBTITLES format the edge adds
 * (writeMasterPlaylist's `subtitles`), cues at the right time.
 *
 * The page loads objects through a tiny proxy to s3rver that can strip `#EXT-X-ENDLIST`
 * (a snapshot of a rung mid-encode) and `#EXT-X-START` (to show what it changes).
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TranscodeJobV1 } from "@streamline/contracts";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures } from "../../scripts/make-fixtures.ts";
import { HttpEventReporter } from "./events.ts";
import type { FfmpegBinaries } from "./ffmpeg/locate.ts";
import { handleJob } from "./handle-job.ts";
import { writeMasterPlaylist } from "./master-playlist.ts";
import { type EventRecorder, startEventRecorder } from "./testing/event-recorder.ts";
import { ffmpegForTests } from "./testing/media.ts";
import { startTestS3, type TestS3 } from "./testing/s3.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const HLS_JS = resolve(import.meta.dirname, "../../node_modules/hls.js/dist/hls.min.js");
const bins = await ffmpegForTests();
const hasBrowser = existsSync(CHROMIUM) && existsSync(HLS_JS);
if (!hasBrowser) {
  if (process.env.CI) throw new Error(`CI is set but ${CHROMIUM} or hls.js is missing`);
  console.warn(`\n[transcoder tests] SKIPPING hls.js playback: no ${CHROMIUM} or hls.js\n`);
}

const PAGE = `<!doctype html><meta charset="utf-8"><video muted playsinline></video>
<script src="/hls.min.js"></script>
<script>
  const q = new URLSearchParams(location.search);
  const video = document.querySelector("video");
  const hls = new Hls({ enableWorker: false });
  window.report = { firstPlayingAt: null, errors: [] };
  video.addEventListener("playing", () => { window.report.firstPlayingAt ??= video.currentTime; });
  hls.on(Hls.Events.ERROR, (_e, d) => { if (d.fatal) window.report.errors.push(d.details); });
  hls.loadSource(q.get("src"));
  hls.attachMedia(video);
  hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
  window.hls = hls;
</script>`;

describe.skipIf(!bins || !hasBrowser)("hls.js in Chromium plays what we publish", () => {
  let s3: TestS3;
  let edge: EventRecorder;
  let proxy: Server;
  let origin: string;
  let browser: Browser;
  let workDir: string;
  let job: TranscodeJobV1;

  beforeAll(async () => {
    const { "small-426x240-20s.mp4": source } = await ensureFixtures(["small-426x240-20s.mp4"]);
    [s3, edge] = await Promise.all([startTestS3(), startEventRecorder("playback")]);
    workDir = await mkdtemp(join(tmpdir(), "streamline-playback-"));
    const videoId = "v_PLAYBACK00000001";
    job = {
      v: 1,
      type: "transcode",
      jobId: "job-playback",
      videoId,
      attempt: 1,
      attemptId: "attempt-playback-1",
      source: { key: `uploads/${videoId}/source`, size: 0, contentType: "video/mp4" },
      outputPrefix: `videos/${videoId}/`,
      createdAt: new Date().toISOString(),
    };
    await s3.put(job.source.key, await readFile(source), "video/mp4");
    const reporter = new HttpEventReporter({ edgeUrl: edge.url, secret: "playback", job, node: "t" });
    const outcome = await handleJob(job, {
      storage: s3.storage,
      reporter,
      ffmpeg: bins as FfmpegBinaries,
      workDir,
      encoder: { preset: "veryfast" },
      limits: { threads: 2 },
      heartbeatMs: 1000,
    });
    if (outcome.status !== "done") throw new Error(outcome.reason);

    // Captions as the edge will add them: a WebVTT wrapped in a one-segment media playlist.
    const prefix = job.outputPrefix;
    await s3.put(
      `${prefix}captions/en.vtt`,
      "WEBVTT\n\n00:00:03.000 --> 00:00:05.000\nHello from the captions\n",
      "text/vtt",
    );
    await s3.put(
      `${prefix}captions/en.m3u8`,
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:20\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:20.000,\nen.vtt\n#EXT-X-ENDLIST\n",
      "application/vnd.apple.mpegurl",
    );
    // The same with an explicit X-TIMESTAMP-MAP (what Apple's tools write): must land identically.
    await s3.put(
      `${prefix}captions/fr.vtt`,
      "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n00:00:03.000 --> 00:00:05.000\nBonjour\n",
      "text/vtt",
    );
    await s3.put(
      `${prefix}captions/fr.m3u8`,
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:20\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:20.000,\nfr.vtt\n#EXT-X-ENDLIST\n",
      "application/vnd.apple.mpegurl",
    );
    await s3.put(
      `${prefix}master-subs.m3u8`,
      writeMasterPlaylist(outcome.renditions, {
        subtitles: [
          { name: "English", language: "en", uri: "captions/en.m3u8", default: true },
          { name: "Français", language: "fr", uri: "captions/fr.m3u8" },
        ],
      }),
      "application/vnd.apple.mpegurl",
    );

    const hlsJs = await readFile(HLS_JS);
    proxy = createServer(async (req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/page.html") {
        res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
        return;
      }
      if (url.pathname === "/hls.min.js") {
        res.writeHead(200, { "content-type": "text/javascript" }).end(hlsJs);
        return;
      }
      // /s3/<mode>/<key>: mode "live" strips ENDLIST, "live-nostart" also EXT-X-START.
      const m = /^\/s3\/(vod|live|live-nostart)\/(.+)$/.exec(url.pathname);
      if (!m) {
        res.writeHead(404).end();
        return;
      }
      const upstream = await s3.client.fetch(s3.url(m[2] as string));
      let body: Uint8Array | string = new Uint8Array(await upstream.arrayBuffer());
      if (m[1] !== "vod" && (m[2] as string).endsWith("/index.m3u8")) {
        let text = new TextDecoder().decode(body).replace("#EXT-X-ENDLIST\n", "");
        if (m[1] === "live-nostart") text = text.replace(/#EXT-X-START:[^\n]*\n/, "");
        body = text;
      }
      res
        .writeHead(upstream.status, {
          "content-type": upstream.headers.get("content-type") ?? "application/octet-stream",
        })
        .end(body);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
    await Promise.all([s3?.close(), edge?.close()]);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  async function play(src: string, untilSec: number) {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/page.html?src=${encodeURIComponent(src)}`);
      await page.waitForFunction(
        (t) => {
          const w = window as unknown as { report: { errors: string[] } };
          const v = document.querySelector("video") as HTMLVideoElement;
          return w.report.errors.length > 0 || v.currentTime > t;
        },
        untilSec,
        { timeout: 30_000, polling: 100 },
      );
      return await page.evaluate(() => {
        const w = window as unknown as {
          report: { firstPlayingAt: number | null; errors: string[] };
          hls: {
            levels: { height: number; audioCodec?: string }[];
            audioTracks: unknown[];
            subtitleTracks: { lang?: string }[];
            latestLevelDetails: { live: boolean } | null;
            liveSyncPosition: number | null;
          };
        };
        const v = document.querySelector("video") as HTMLVideoElement & {
          webkitAudioDecodedByteCount?: number;
        };
        return {
          ...w.report,
          currentTime: v.currentTime,
          live: w.hls.latestLevelDetails?.live ?? null,
          liveSyncPosition: w.hls.liveSyncPosition,
          levels: w.hls.levels.map((l) => l.height),
          audioTracks: w.hls.audioTracks.length,
          subtitleTracks: w.hls.subtitleTracks.map((t) => t.lang),
          audioBytes: v.webkitAudioDecodedByteCount ?? -1,
          cues: [...v.textTracks].flatMap((t) => [...(t.cues ?? [])].map((c) => [c.startTime, c.endTime])),
        };
      });
    } finally {
      await page.close();
    }
  }

  it("a growing EVENT rung starts at 0 (EXT-X-START), with the AAC rendition", async () => {
    const r = await play(`/s3/live/${job.outputPrefix}master-1.m3u8`, 2);
    expect(r.errors).toEqual([]);
    expect(r.live).toBe(true);
    expect(r.firstPlayingAt).toBeLessThan(1);
    // Where hls.js would have started without EXT-X-START: 3 segments before the end.
    expect(r.liveSyncPosition ?? 0).toBeGreaterThan(4);
    expect(r.levels).toEqual([240]); // the audio-only variant is not a video level in hls.js
    expect(r.audioTracks).toBe(1);
    expect(r.audioBytes).toBeGreaterThan(0);
  });

  it("without EXT-X-START the same playlist would start near the live edge (the tag matters)", async () => {
    const r = await play(`/s3/live-nostart/${job.outputPrefix}master-1.m3u8`, 9);
    expect(r.errors).toEqual([]);
    expect(r.firstPlayingAt).toBeGreaterThan(4);
  });

  for (const [track, lang] of [
    [0, "en"],
    [1, "fr"],
  ] as const) {
    it(`the final master plays with audio and SUBTITLES; "${lang}" cues land at the right time`, async () => {
      const page = await browser.newPage();
      try {
        await page.goto(
          `${origin}/page.html?src=${encodeURIComponent(`/s3/vod/${job.outputPrefix}master-subs.m3u8`)}`,
        );
        await page.waitForFunction(
          (t) => {
            const w = window as unknown as { hls: { subtitleTrack: number; subtitleDisplay: boolean } };
            w.hls.subtitleDisplay = true;
            if (w.hls.subtitleTrack !== t) w.hls.subtitleTrack = t;
            const v = document.querySelector("video") as HTMLVideoElement;
            const showing = [...v.textTracks].filter((x) => x.mode === "showing");
            return v.currentTime > 1 && showing.some((x) => (x.cues?.length ?? 0) > 0);
          },
          track,
          { timeout: 30_000, polling: 100 },
        );
        const r = await page.evaluate(() => {
          const w = window as unknown as {
            report: { errors: string[] };
            hls: { subtitleTracks: { lang?: string }[]; audioTracks: unknown[] };
          };
          const v = document.querySelector("video") as HTMLVideoElement;
          const showing = [...v.textTracks].filter((x) => x.mode === "showing");
          return {
            errors: w.report.errors,
            subtitleTracks: w.hls.subtitleTracks.map((t) => t.lang),
            audioTracks: w.hls.audioTracks.length,
            cues: showing.flatMap((t) => [...(t.cues ?? [])].map((c) => [c.startTime, c.endTime])),
          };
        });
        expect(r.errors).toEqual([]);
        expect(r.subtitleTracks).toEqual(["en", "fr"]);
        expect(r.audioTracks).toBe(1);
        expect(r.cues).toHaveLength(1);
        expect(r.cues[0]?.[0]).toBeCloseTo(3, 1);
        expect(r.cues[0]?.[1]).toBeCloseTo(5, 1);
      } finally {
        await page.close();
      }
    });
  }
});
