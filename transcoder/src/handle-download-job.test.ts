/**
 * The `download` job against s3rver and real ffmpeg: a 6 s fMP4 HLS rung (2 s fragments)
 * plus a separate AAC rendition, laid out as the transcoder writes them, become one
 * faststart MP4 that ffprobe reads with both streams and the right duration — bit-exact
 * copies, no re-encode. A playlist naming foreign files fails, not retryable.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { DownloadJobV1 } from "@streamline/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFfmpegQuiet } from "../../scripts/make-fixtures.ts";
import { HttpEventReporter } from "./events.ts";
import type { FfmpegBinaries } from "./ffmpeg/locate.ts";
import { buildRemuxArgs, handleDownloadJob } from "./handle-download-job.ts";
import { type EventRecorder, startEventRecorder } from "./testing/event-recorder.ts";
import { getOk } from "./testing/hls-check.ts";
import { ffmpegForTests, probeStreams } from "./testing/media.ts";
import { startTestS3, type TestS3 } from "./testing/s3.ts";

const SECRET = "test-secret-download";
const bins = await ffmpegForTests();

let n = 0;
function makeJob(videoId: string, audio: boolean): DownloadJobV1 {
  n += 1;
  return {
    v: 1,
    type: "download",
    jobId: `d_${videoId}`,
    videoId,
    attempt: 1,
    attemptId: `a_download${String(n).padStart(10, "0")}`,
    rung: "360p",
    playlists: { video: "360p/index.m3u8", ...(audio ? { audio: "audio/index.m3u8" } : {}) },
    outputPrefix: `videos/${videoId}/`,
    outputKey: `videos/${videoId}/download/360p.mp4`,
    createdAt: new Date().toISOString(),
  };
}

/** One fMP4 HLS rendition in `dir`, named like the transcoder's (`init.mp4`, `seg_00000.m4s`). */
async function hlsRendition(ffmpeg: string, dir: string, kind: "video" | "audio"): Promise<void> {
  const input =
    kind === "video"
      ? ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=24:duration=6", "-c:v", "libx264"]
      : ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=6", "-c:a", "aac"];
  // biome-ignore format: flag/value pairs
  await runFfmpegQuiet(ffmpeg, [
    ...input, ...(kind === "video" ? ["-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "48", "-keyint_min", "48", "-sc_threshold", "0"] : []),
    "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4",
    "-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", join(dir, "seg_%05d.m4s"),
    join(dir, "index.m3u8"),
  ]);
}

describe("buildRemuxArgs (pure)", () => {
  it("copies the streams into a faststart MP4, reading only mov from local files", () => {
    const args = buildRemuxArgs("v.mp4", "a.mp4", "out.mp4");
    expect(args.join(" ")).toContain("-map 0:v:0 -map 1:a:0 -c copy -movflags +faststart -f mp4 out.mp4");
    expect(args.filter((a) => a === "-protocol_whitelist")).toHaveLength(2);
    expect(buildRemuxArgs("v.mp4", null, "o.mp4")).not.toContain("1:a:0");
  });
});

describe.skipIf(!bins)("handleDownloadJob (s3rver + real ffmpeg)", () => {
  const ffmpeg = bins as FfmpegBinaries;
  let s3: TestS3;
  let edge: EventRecorder;
  let workDir: string;
  const videoId = "v_DOWNLOAD0000001x";

  beforeAll(async () => {
    [s3, edge] = await Promise.all([startTestS3(), startEventRecorder(SECRET)]);
    workDir = await mkdtemp(join(tmpdir(), "streamline-download-work-"));
    const src = await mkdtemp(join(tmpdir(), "streamline-download-src-"));
    for (const [rung, kind] of [
      ["360p", "video"],
      ["audio", "audio"],
    ] as const) {
      const dir = join(src, rung);
      await mkdir(dir, { recursive: true });
      await hlsRendition(ffmpeg.ffmpeg, dir, kind);
      for (const file of await readdir(dir)) {
        await s3.put(`videos/${videoId}/${rung}/${file}`, await readFile(join(dir, file)));
      }
    }
    await rm(src, { recursive: true, force: true });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([s3?.close(), edge?.close()]);
    await rm(workDir, { recursive: true, force: true });
  });

  async function run(job: DownloadJobV1) {
    const reporter = new HttpEventReporter({ edgeUrl: edge.url, secret: SECRET, job, node: "test-node" });
    const outcome = await handleDownloadJob(job, { storage: s3.storage, reporter, ffmpeg, workDir });
    return { outcome, events: edge.events.filter((e) => e.attemptId === job.attemptId) };
  }

  it("remuxes the rung and its audio into a faststart MP4 that ffprobe reads as 6 s", async () => {
    const job = makeJob(videoId, true);
    const { outcome, events } = await run(job);
    expect(outcome).toMatchObject({ status: "done", key: job.outputKey });
    const res = await getOk(s3, job.outputKey);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    const bytes = new Uint8Array(await res.arrayBuffer());
    // faststart: the index (moov) comes before the media (mdat).
    const text = new TextDecoder("latin1").decode(bytes.subarray(0, 64 * 1024));
    expect(text.indexOf("moov")).toBeGreaterThan(0);
    expect(text.indexOf("moov")).toBeLessThan(text.indexOf("mdat") === -1 ? Infinity : text.indexOf("mdat"));
    const file = join(workDir, "check.mp4");
    await writeFile(file, bytes);
    const streams = await probeStreams(ffmpeg.ffprobe, file);
    expect(streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(["audio:aac", "video:h264"]);
    // biome-ignore format: flag/value pairs
    const { stdout } = await promisify(execFile)(ffmpeg.ffprobe, ["-v", "error", "-show_entries", "format=duration,format_name", "-of", "json", file]);
    const format = JSON.parse(stdout).format as { duration: string; format_name: string };
    expect(format.format_name).toContain("mp4");
    expect(Math.abs(Number(format.duration) - 6)).toBeLessThanOrEqual(0.1);
    await rm(file);
    expect(events.map((e) => e.type)).toEqual(["download"]);
    expect(events[0]).toMatchObject({ rung: "360p", key: job.outputKey, sizeBytes: bytes.byteLength });
    expect(Math.abs((events[0] as { durationSec: number }).durationSec - 6)).toBeLessThanOrEqual(0.1);
    expect(edge.rejected).toEqual([]);
    expect(await readdir(workDir)).toEqual([]);
  }, 60_000);

  it("a video without sound: the rung alone", async () => {
    const { outcome } = await run(makeJob(videoId, false));
    expect(outcome).toMatchObject({ status: "done" });
  }, 60_000);

  it("a playlist that names files outside the rendition fails, not retryable", async () => {
    const bad = "v_DOWNLOAD0000002x";
    await s3.put(
      `videos/${bad}/360p/index.m3u8`,
      '#EXTM3U\n#EXT-X-MAP:URI="../../other/init.mp4"\n#EXTINF:2.0,\nseg_00000.m4s\n#EXT-X-ENDLIST\n',
    );
    const { outcome, events } = await run(makeJob(bad, false));
    expect(outcome).toMatchObject({ status: "failed", retryable: false });
    expect(events.at(-1)).toMatchObject({ type: "failed", retryable: false });
  });

  it("a deleted rendition fails, not retryable", async () => {
    const { outcome } = await run(makeJob("v_DOWNLOAD0000003x", false));
    expect(outcome).toMatchObject({ status: "failed", retryable: false });
  });
});
