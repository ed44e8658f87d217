/**
 * The custom-poster job against s3rver and real ffmpeg: PNG (with transparency), JPEG and
 * WebP in → a JPEG + WebP at most 1280 px wide (and WebPs at the narrower srcset widths) under
 * a new key; anything else → failed,
 * not retryable, with a reason the owner can read.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PosterJobV1 } from "@streamline/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import { HttpEventReporter } from "./events.ts";
import type { FfmpegBinaries } from "./ffmpeg/locate.ts";
import { posterSizesFor } from "./ffmpeg/poster-sizes.ts";
import { handlePosterJob, interpretImageProbe, posterSize } from "./handle-poster-job.ts";
import { type EventRecorder, startEventRecorder } from "./testing/event-recorder.ts";
import { getOk } from "./testing/hls-check.ts";
import { ffmpegForTests, probeStreams } from "./testing/media.ts";
import { startTestS3, type TestS3 } from "./testing/s3.ts";

const SECRET = "test-secret-poster";
const bins = await ffmpegForTests();
const FIXTURES: FixtureName[] = [
  "poster-1600x900-alpha.png",
  "poster-1920x1080.jpg",
  "poster-800x1200.webp",
  "clip-640x360-2s.mp4",
  "not-a-video.mp4",
];

let n = 0;
function makeJob(): PosterJobV1 {
  n += 1;
  const videoId = `v_POSTER${String(n).padStart(4, "0")}${Math.random().toString(36).slice(2, 6).padEnd(4, "x")}xx`;
  return {
    v: 1,
    type: "poster",
    jobId: `p_${videoId}`,
    videoId,
    attempt: 1,
    attemptId: `a_poster${String(n).padStart(12, "0")}`,
    source: { key: `uploads/${videoId}/poster-source` },
    outputPrefix: `videos/${videoId}/`,
    createdAt: new Date().toISOString(),
  };
}

describe("posterSizesFor (pure)", () => {
  it("320/640/1280 from a wide poster, never upscaled; a narrower one adds its own width", () => {
    expect(posterSizesFor(1280, 720)).toEqual([
      { width: 320, height: 180 },
      { width: 640, height: 360 },
      { width: 1280, height: 720 },
    ]);
    expect(posterSizesFor(854, 480).map((s) => s.width)).toEqual([320, 640, 854]);
    expect(posterSizesFor(640, 360).map((s) => s.width)).toEqual([320, 640]);
    expect(posterSizesFor(200, 112)).toEqual([{ width: 200, height: 112 }]);
    expect(posterSizesFor(0, 0)).toEqual([]);
  });
});

describe("posterSize / interpretImageProbe (pure)", () => {
  it("caps the width at 1280, never upscales, keeps even dimensions", () => {
    expect(posterSize({ width: 1920, height: 1080 })).toEqual({ width: 1280, height: 720 });
    expect(posterSize({ width: 800, height: 1200 })).toEqual({ width: 800, height: 1200 });
    expect(posterSize({ width: 333, height: 101 })).toEqual({ width: 334, height: 102 });
  });

  it("accepts JPEG/PNG/WebP images only, with readable reasons", () => {
    const img = (codec: string, format: string, extra = {}) => ({
      streams: [{ codec_type: "video", codec_name: codec, width: 10, height: 10, pix_fmt: "rgba", ...extra }],
      format: { format_name: format },
    });
    expect(interpretImageProbe(img("png", "png_pipe"))).toEqual({ width: 10, height: 10, hasAlpha: true });
    expect(() => interpretImageProbe(img("h264", "mov,mp4,m4a,3gp,3g2,mj2"))).toThrow(
      /^not a usable poster: expected a JPEG, PNG or WebP image \(found h264 in mov,mp4/,
    );
    expect(() => interpretImageProbe(img("gif", "gif"))).toThrow(/found gif/);
    expect(() => interpretImageProbe(null)).toThrow(/^not a usable poster/);
    expect(() => interpretImageProbe(img("png", "png_pipe", { width: 20000, height: 20000 }))).toThrow(
      /too large/,
    );
  });
});

describe.skipIf(!bins)("handlePosterJob (s3rver + real ffmpeg)", () => {
  const ffmpeg = bins as FfmpegBinaries;
  let s3: TestS3;
  let edge: EventRecorder;
  let workDir: string;
  let fx: Record<FixtureName, string>;

  beforeAll(async () => {
    [s3, edge, fx] = await Promise.all([
      startTestS3(),
      startEventRecorder(SECRET),
      ensureFixtures(FIXTURES) as Promise<Record<FixtureName, string>>,
    ]);
    workDir = await mkdtemp(join(tmpdir(), "streamline-poster-work-"));
  });
  afterAll(async () => {
    await Promise.all([s3?.close(), edge?.close()]);
    await rm(workDir, { recursive: true, force: true });
  });

  async function run(fixture: string) {
    const job = makeJob();
    await s3.put(job.source.key, await readFile(fixture), "application/octet-stream");
    const reporter = new HttpEventReporter({ edgeUrl: edge.url, secret: SECRET, job, node: "test-node" });
    const outcome = await handlePosterJob(job, { storage: s3.storage, reporter, ffmpeg, workDir });
    return { job, outcome, events: edge.events.filter((e) => e.attemptId === job.attemptId) };
  }

  async function dimensions(key: string, contentType: string): Promise<[number, number, string]> {
    const res = await getOk(s3, key);
    expect(res.headers.get("content-type")).toBe(contentType);
    const file = join(workDir, `probe-${key.split("/").pop()}`);
    await writeFile(file, new Uint8Array(await res.arrayBuffer()));
    const [s] = await probeStreams(ffmpeg.ffprobe, file);
    await rm(file);
    return [Number(s?.width), Number(s?.height), String(s?.codec_name)];
  }

  for (const [fixture, size, smaller] of [
    [
      "poster-1600x900-alpha.png",
      [1280, 720],
      [
        [320, 180],
        [640, 360],
      ],
    ],
    [
      "poster-1920x1080.jpg",
      [1280, 720],
      [
        [320, 180],
        [640, 360],
      ],
    ],
    // 800 px wide: 320 and 640 below it, and its own 800 (the full WebP) — never 1280.
    [
      "poster-800x1200.webp",
      [800, 1200],
      [
        [320, 480],
        [640, 960],
      ],
    ],
  ] as const) {
    it(`${fixture} → JPEG + WebP ${size.join("x")} and narrower WebPs under a per-job key, poster event`, async () => {
      const { job, outcome, events } = await run(fx[fixture]);
      const base = `${job.outputPrefix}poster-${job.attemptId}`;
      const posterSizes = [
        ...smaller.map(([w, h]) => ({ key: `${base}-${w}.webp`, width: w, height: h })),
        { key: `${base}.webp`, width: size[0], height: size[1] },
      ];
      expect(outcome).toEqual({
        status: "done",
        posterKey: `${base}.jpg`,
        posterWebpKey: `${base}.webp`,
        posterSizes,
      });
      expect(await dimensions(`${base}.jpg`, "image/jpeg")).toEqual([...size, "mjpeg"]);
      expect(await dimensions(`${base}.webp`, "image/webp")).toEqual([...size, "webp"]);
      // Real files of the advertised sizes, each smaller in bytes than the next.
      let previous = 0;
      for (const s of posterSizes) {
        expect(await dimensions(s.key, "image/webp")).toEqual([s.width, s.height, "webp"]);
        const bytes = (await (await getOk(s3, s.key)).arrayBuffer()).byteLength;
        expect(bytes).toBeGreaterThan(previous);
        previous = bytes;
      }
      expect(events.map((e) => e.type)).toEqual(["poster"]);
      expect(events[0]).toMatchObject({
        posterKey: `${base}.jpg`,
        posterWebpKey: `${base}.webp`,
        posterSizes,
      });
      expect(edge.rejected).toEqual([]);
      expect(await readdir(workDir)).toEqual([]);
    });
  }

  it("a video is not a poster → failed, not retryable, readable reason", async () => {
    const { outcome, events } = await run(fx["clip-640x360-2s.mp4"]);
    expect(outcome).toEqual({
      status: "failed",
      retryable: false,
      reason:
        "not a usable poster: expected a JPEG, PNG or WebP image (found h264 in mov,mp4,m4a,3gp,3g2,mj2)",
    });
    expect(events.at(-1)).toMatchObject({ type: "failed", retryable: false });
  });

  it("a text file → failed, not retryable", async () => {
    const { outcome } = await run(fx["not-a-video.mp4"]);
    expect(outcome).toMatchObject({ status: "failed", retryable: false });
    if (outcome.status === "failed")
      expect(outcome.reason).toMatch(/^not a usable poster: expected a JPEG, PNG or WebP image/);
    expect(await readdir(workDir)).toEqual([]);
  });
});
