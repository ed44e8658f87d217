/**
 * The whole pipeline against real services: s3rver (S3 API), a recording events
 * endpoint, real ffprobe/ffmpeg on generated fixtures. Checks what a player and the
 * edge will see: keys, MIME/cache headers, master attributes, aligned keyframes.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TranscodeJobV1, TranscoderEvent } from "@streamline/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures, TEST_FIXTURES } from "../../scripts/make-fixtures.ts";
import { HttpEventReporter } from "./events.ts";
import type { FfmpegBinaries } from "./ffmpeg/locate.ts";
import { FfmpegError } from "./ffmpeg/run.ts";
import { describeFfmpegFailure, type HandleJobDeps, handleJob, type JobOutcome } from "./handle-job.ts";
import { parseMasterPlaylist, parseMediaPlaylist } from "./master-playlist.ts";
import { type EventRecorder, startEventRecorder } from "./testing/event-recorder.ts";
import { avc1FromInit, ffmpegForTests, probeStreams, videoPackets } from "./testing/media.ts";
import { startTestS3, type TestS3 } from "./testing/s3.ts";

const SECRET = "test-secret-handle-job";
const bins = await ffmpegForTests();

let counter = 0;
function makeJob(): TranscodeJobV1 {
  counter += 1;
  const videoId = `v_${String(counter).padStart(4, "0")}${Math.random().toString(36).slice(2, 14).padEnd(12, "x")}`;
  return {
    v: 1,
    type: "transcode",
    jobId: `job-${videoId}`,
    videoId,
    attempt: 1,
    attemptId: `attempt-${videoId}`,
    source: { key: `uploads/${videoId}/source`, size: 0, contentType: "video/mp4" },
    outputPrefix: `videos/${videoId}/`,
    createdAt: new Date().toISOString(),
  };
}

describe.skipIf(!bins)("handleJob (s3rver + real ffmpeg)", () => {
  const ffmpeg = bins as FfmpegBinaries;
  let s3: TestS3;
  let edge: EventRecorder;
  let workDir: string;
  let scratch: string;
  let fx: Awaited<ReturnType<typeof ensureFixtures<(typeof TEST_FIXTURES)[number]>>>;

  beforeAll(async () => {
    [s3, edge, fx] = await Promise.all([
      startTestS3(),
      startEventRecorder(SECRET),
      ensureFixtures(TEST_FIXTURES),
    ]);
    workDir = await mkdtemp(join(tmpdir(), "streamline-work-"));
    scratch = await mkdtemp(join(tmpdir(), "streamline-scratch-"));
  });
  afterAll(async () => {
    await Promise.all([s3?.close(), edge?.close()]);
    await rm(workDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  async function run(fixture: string, extra: Partial<HandleJobDeps> = {}, seed = true, job = makeJob()) {
    if (seed) await s3.put(job.source.key, await readFile(fixture), "video/mp4");
    const reporter = new HttpEventReporter({ edgeUrl: edge.url, secret: SECRET, job, node: "test-node" });
    const outcome = await handleJob(job, {
      storage: s3.storage,
      reporter,
      ffmpeg,
      workDir,
      encoder: { preset: "veryfast" },
      heartbeatMs: 1000,
      ...extra,
    });
    const events = edge.events.filter((e) => e.attemptId === job.attemptId);
    return { job, outcome, events };
  }

  async function get(key: string): Promise<Response> {
    return s3.client.fetch(s3.url(key));
  }

  async function bytes(key: string): Promise<Uint8Array> {
    const res = await get(key);
    expect(res.status, key).toBe(200);
    return new Uint8Array(await res.arrayBuffer());
  }

  function expectDone(outcome: JobOutcome): asserts outcome is Extract<JobOutcome, { status: "done" }> {
    if (outcome.status !== "done") throw new Error(`job failed: ${outcome.reason}`);
  }

  function expectOrdered(events: TranscoderEvent[]) {
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  }

  it("720p source → 4 aligned fMP4 rungs, correct master, headers and events", async () => {
    const { job, outcome, events } = await run(fx["landscape-720p-10s.mp4"]);
    expectDone(outcome);
    const prefix = job.outputPrefix;
    expect(outcome.masterKey).toBe(`${prefix}master.m3u8`);
    expect(outcome.posterKey).toBe(`${prefix}poster.jpg`);
    expect(outcome.renditions.map((r) => `${r.name}:${r.width}x${r.height}`)).toEqual([
      "720p:1280x720",
      "480p:854x480",
      "360p:640x360",
      "240p:426x240",
    ]);

    // Master playlist: every variant fully described, and CODECS matches the real SPS.
    const masterRes = await get(outcome.masterKey);
    expect(masterRes.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    expect(masterRes.headers.get("cache-control")).toBe("no-cache");
    const masterText = await masterRes.text();
    expect(masterText).toMatch(/^#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n/);
    const variants = parseMasterPlaylist(masterText);
    expect(variants).toHaveLength(4);

    const firstKeyframes: number[][] = [];
    for (const variant of variants) {
      const a = variant.attributes;
      for (const attr of ["BANDWIDTH", "AVERAGE-BANDWIDTH", "CODECS", "RESOLUTION", "FRAME-RATE"]) {
        expect(a[attr], `${variant.uri} ${attr}`).toBeTruthy();
      }
      expect(a["FRAME-RATE"]).toBe("30.000");
      expect(Number(a.BANDWIDTH)).toBeGreaterThanOrEqual(Number(a["AVERAGE-BANDWIDTH"]));
      const rendition = outcome.renditions.find((r) => r.playlist === variant.uri);
      expect(rendition).toBeDefined();
      expect(a.RESOLUTION).toBe(`${rendition?.width}x${rendition?.height}`);
      expect(Number(a.BANDWIDTH)).toBe(rendition?.bandwidth);

      const dir = `${prefix}${variant.uri.replace(/\/index\.m3u8$/, "")}`;
      const mediaRes = await get(`${prefix}${variant.uri}`);
      expect(mediaRes.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
      expect(mediaRes.headers.get("cache-control")).toBe("public, max-age=2");
      const media = parseMediaPlaylist(await mediaRes.text());
      expect(media.endList).toBe(true);
      expect(media.mapUri).toBe("init.mp4");
      const total = media.segments.reduce((s, seg) => s + seg.durationSec, 0);
      expect(Math.abs(total - 10)).toBeLessThan(0.5);
      for (const seg of media.segments)
        expect(seg.durationSec).toBeLessThanOrEqual(media.targetDurationSec + 0.05);

      const initRes = await get(`${dir}/init.mp4`);
      expect(initRes.headers.get("content-type")).toBe("video/mp4");
      expect(initRes.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      const init = new Uint8Array(await initRes.arrayBuffer());
      expect(a.CODECS).toBe(`${avc1FromInit(init)},mp4a.40.2`);

      // Every segment starts with a keyframe; record where, to compare across rungs.
      const starts: number[] = [];
      for (const seg of media.segments) {
        const segRes = await get(`${dir}/${seg.uri}`);
        expect(segRes.headers.get("content-type")).toBe("video/iso.segment");
        expect(segRes.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
        const file = join(scratch, `${variant.uri.replace("/", "_")}_${seg.uri}.mp4`);
        await writeFile(file, Buffer.concat([init, new Uint8Array(await segRes.arrayBuffer())]));
        const packets = await videoPackets(ffmpeg.ffprobe, file);
        expect(packets[0]?.key, `${variant.uri} ${seg.uri} starts with a keyframe`).toBe(true);
        starts.push(Number(packets[0]?.ptsSec.toFixed(3)));
      }
      firstKeyframes.push(starts);

      const streams = await probeStreams(
        ffmpeg.ffprobe,
        join(scratch, `${variant.uri.replace("/", "_")}_${media.segments[0]?.uri}.mp4`),
      );
      const video = streams.find((s) => s.codec_type === "video");
      expect([video?.width, video?.height]).toEqual([rendition?.width, rendition?.height]);
      expect(streams.some((s) => s.codec_type === "audio")).toBe(true);
    }
    // Aligned GOPs: identical segment start times in every rung.
    for (const starts of firstKeyframes) expect(starts).toEqual(firstKeyframes[0]);

    const poster = await get(`${prefix}poster.jpg`);
    expect(poster.headers.get("content-type")).toBe("image/jpeg");
    const posterBytes = new Uint8Array(await poster.arrayBuffer());
    expect([posterBytes[0], posterBytes[1]]).toEqual([0xff, 0xd8]);

    // Events: signed, valid, ordered; probe, progress, one rendition per rung, then done.
    expectOrdered(events);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("heartbeat");
    expect(types.at(-1)).toBe("done");
    expect(types).toContain("probed");
    expect(types.filter((t) => t === "rendition")).toHaveLength(4);
    const stages = new Set(events.flatMap((e) => (e.type === "progress" ? [e.stage] : [])));
    expect([...stages]).toEqual(expect.arrayContaining(["download", "probe", "encode", "upload"]));
    const done = events.at(-1);
    expect(done).toMatchObject({ type: "done", masterKey: outcome.masterKey, posterKey: outcome.posterKey });
    if (done?.type === "done") {
      expect(done.renditions).toEqual(outcome.renditions);
      expect(done.probe.durationSec).toBeCloseTo(10, 1);
    }
    // The first rendition event already points at a master that exists.
    expect(events.find((e) => e.type === "rendition")).toMatchObject({ masterKey: outcome.masterKey });
    expect(edge.rejected).toEqual([]);
    expect(await readdir(workDir)).toEqual([]);
  });

  it("rotated phone video → portrait rungs without a leftover display matrix", async () => {
    const { outcome } = await run(fx["rotated-90-4s.mp4"]);
    expectDone(outcome);
    expect(outcome.renditions.map((r) => `${r.name}:${r.width}x${r.height}`)).toEqual([
      "360p:360x640",
      "240p:240x426",
    ]);
    const dir = `videos/${outcome.masterKey.split("/")[1]}/360p`;
    const init = await bytes(`${dir}/init.mp4`);
    const seg = await bytes(`${dir}/seg_00000.m4s`);
    const file = join(scratch, "rotated.mp4");
    await writeFile(file, Buffer.concat([init, seg]));
    const video = (await probeStreams(ffmpeg.ffprobe, file)).find((s) => s.codec_type === "video");
    expect([video?.width, video?.height]).toEqual([360, 640]);
    expect(JSON.stringify(video)).not.toMatch(/Display Matrix|"rotation"/);
  });

  it("10-bit source without audio → 8-bit yuv420p, video-only CODECS", async () => {
    const { outcome } = await run(fx["tenbit-640x360-2s.mp4"]);
    expectDone(outcome);
    for (const r of outcome.renditions) {
      expect(r.codecs).toMatch(/^avc1\.[0-9a-f]{6}$/);
      expect(r.frameRate).toBe(25);
    }
    const dir = `videos/${outcome.masterKey.split("/")[1]}/360p`;
    const file = join(scratch, "tenbit.mp4");
    await writeFile(
      file,
      Buffer.concat([await bytes(`${dir}/init.mp4`), await bytes(`${dir}/seg_00000.m4s`)]),
    );
    const streams = await probeStreams(ffmpeg.ffprobe, file);
    expect(streams.map((s) => s.codec_type)).toEqual(["video"]);
    expect(streams[0]?.pix_fmt).toBe("yuv420p");
  });

  it("not a video → failed, not retryable, human reason, nothing published", async () => {
    const { job, outcome, events } = await run(fx["not-a-video.mp4"]);
    expect(outcome).toEqual({
      status: "failed",
      retryable: false,
      reason:
        "not a playable video: not a recognised video file (ffprobe: Invalid data found when processing input)",
    });
    expect(events.at(-1)).toMatchObject({
      type: "failed",
      retryable: false,
      reason: outcome.status === "failed" ? outcome.reason : "",
    });
    expectOrdered(events);
    expect((await get(`${job.outputPrefix}master.m3u8`)).status).toBe(404);
    expect(await readdir(workDir)).toEqual([]);
  });

  it("truncated upload → failed with 'corrupt or truncated'", async () => {
    const { outcome } = await run(fx["corrupt-truncated.mp4"]);
    expect(outcome).toMatchObject({ status: "failed", retryable: false });
    if (outcome.status === "failed")
      expect(outcome.reason).toMatch(/^not a playable video: file is corrupt or truncated/);
  });

  it("missing source object → failed, not retryable", async () => {
    const { outcome } = await run(fx["not-a-video.mp4"], {}, false);
    expect(outcome).toMatchObject({ status: "failed", retryable: false });
    if (outcome.status === "failed") expect(outcome.reason).toMatch(/not found in storage/);
  });

  it("cancellation mid-encode → failed, retryable, temp dir removed", async () => {
    const ac = new AbortController();
    const job = makeJob();
    const pending = run(fx["landscape-720p-10s.mp4"], { signal: ac.signal }, true, job);
    await edge.waitFor((evs) =>
      evs.some((e) => e.attemptId === job.attemptId && e.type === "progress" && e.stage === "encode"),
    );
    ac.abort(new Error("transcoder shutting down: job released for another node"));
    const { outcome, events } = await pending;
    expect(outcome).toEqual({
      status: "failed",
      retryable: true,
      reason: "transcoder shutting down: job released for another node",
    });
    expect(events.at(-1)).toMatchObject({ type: "failed", retryable: true });
    expect(await readdir(workDir)).toEqual([]);
  });
});

describe("describeFfmpegFailure", () => {
  it("keeps the first line and a one-line tail of stderr", () => {
    const tail = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join("\n");
    const reason = describeFfmpegFailure(
      "transcoding failed",
      new FfmpegError("ffmpeg exited with code 1", "exit", 1, tail),
    );
    expect(reason).toBe(
      "transcoding failed: ffmpeg exited with code 1: line 5 | line 6 | line 7 | line 8 | line 9 | line 10 | line 11 | line 12",
    );
  });
});
