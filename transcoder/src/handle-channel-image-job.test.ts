/**
 * The channel-image job against s3rver and real ffmpeg: an avatar becomes 48/88/176 px
 * squares, a banner 1280×212 and 2560×424 (centre-cropped, alpha flattened), all JPEG under
 * the job's version prefix, reported by one signed event; anything not an image fails with
 * a reason the owner can read.
 */

import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ChannelImageEvent,
  type ChannelImageJobV1,
  channelImagePrefix,
  SIGNATURE_HEADER,
  verifyRequest,
} from "@streamline/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import { channelImageReporter } from "./channel-image-events.ts";
import type { FfmpegBinaries } from "./ffmpeg/locate.ts";
import { channelImageFilter, handleChannelImageJob } from "./handle-channel-image-job.ts";
import { getOk } from "./testing/hls-check.ts";
import { ffmpegForTests, probeStreams } from "./testing/media.ts";
import { startTestS3, type TestS3 } from "./testing/s3.ts";

const SECRET = "test-secret-channel-image";
const bins = await ffmpegForTests();
const FIXTURES: FixtureName[] = [
  "poster-1600x900-alpha.png",
  "poster-1920x1080.jpg",
  "poster-800x1200.webp",
  "clip-640x360-2s.mp4",
];

let n = 0;
function makeJob(kind: "avatar" | "banner"): ChannelImageJobV1 {
  n += 1;
  const userId = `u_CHIMG${String(n).padStart(4, "0")}${Math.random().toString(36).slice(2, 9).padEnd(7, "x")}`;
  const attemptId = `a_chimg${String(n).padStart(14, "0")}`;
  return {
    v: 1,
    type: "channel-image",
    jobId: `c_${attemptId.slice(2)}`,
    userId,
    kind,
    attempt: 1,
    attemptId,
    source: { key: `uploads/channels/${userId}/${kind}-source` },
    outputPrefix: channelImagePrefix(userId, kind, attemptId),
    createdAt: new Date().toISOString(),
  };
}

/** A stand-in for the edge's intake: checks the fleet→edge signature and the contracts schema. */
async function startIntake() {
  const events: ChannelImageEvent[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const check = await verifyRequest(
        SECRET,
        "fleet-to-edge",
        { method: "POST", path: req.url ?? "", body },
        req.headers[SIGNATURE_HEADER] as string,
      );
      const parsed = ChannelImageEvent.safeParse(JSON.parse(body));
      if (check.ok && parsed.success) events.push(parsed.data);
      res.writeHead(check.ok && parsed.success ? 200 : 400).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, events, close: () => new Promise((r) => server.close(r)) };
}

describe("channelImageFilter (pure)", () => {
  it("decodes once and splits into one cover-scale + centre crop per size", () => {
    const graph = channelImageFilter({ width: 1600, height: 900, hasAlpha: false }, [
      { width: 48, height: 48 },
      { width: 88, height: 88 },
    ]);
    expect(graph).toBe(
      "[0:v:0]split=2[s0][s1];" +
        "[s0]scale=w=48:h=48:force_original_aspect_ratio=increase:flags=lanczos,crop=48:48,setsar=1,format=yuvj420p[o0];" +
        "[s1]scale=w=88:h=88:force_original_aspect_ratio=increase:flags=lanczos,crop=88:88,setsar=1,format=yuvj420p[o1]",
    );
    expect(
      channelImageFilter({ width: 10, height: 10, hasAlpha: true }, [{ width: 48, height: 48 }]),
    ).toMatch(/^color=c=0x808080:s=10x10\[bg\];\[0:v:0\]format=rgba\[fg\];\[bg\]\[fg\]overlay/);
  });
});

describe.skipIf(!bins)("handleChannelImageJob (s3rver + real ffmpeg)", () => {
  const ffmpeg = bins as FfmpegBinaries;
  let s3: TestS3;
  let intake: Awaited<ReturnType<typeof startIntake>>;
  let workDir: string;
  let fx: Record<FixtureName, string>;

  beforeAll(async () => {
    [s3, intake, fx] = await Promise.all([
      startTestS3(),
      startIntake(),
      ensureFixtures(FIXTURES) as Promise<Record<FixtureName, string>>,
    ]);
    workDir = await mkdtemp(join(tmpdir(), "streamline-channel-image-work-"));
  });
  afterAll(async () => {
    await Promise.all([s3?.close(), intake?.close()]);
    await rm(workDir, { recursive: true, force: true });
  });

  async function run(kind: "avatar" | "banner", fixture: string) {
    const job = makeJob(kind);
    await s3.put(job.source.key, await readFile(fixture), "application/octet-stream");
    const report = channelImageReporter({ edgeUrl: intake.url, secret: SECRET }, job);
    const outcome = await handleChannelImageJob(job, { storage: s3.storage, report, ffmpeg, workDir });
    return { job, outcome, events: intake.events.filter((e) => e.attemptId === job.attemptId) };
  }

  async function dimensions(key: string): Promise<[number, number, string]> {
    const res = await getOk(s3, key);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    const file = join(workDir, `probe-${key.split("/").pop()}`);
    await writeFile(file, new Uint8Array(await res.arrayBuffer()));
    const [s] = await probeStreams(ffmpeg.ffprobe, file);
    await rm(file);
    return [Number(s?.width), Number(s?.height), String(s?.codec_name)];
  }

  for (const fixture of ["poster-1920x1080.jpg", "poster-800x1200.webp"] as const) {
    it(`avatar from ${fixture} → 48, 88, 176 px squares and one signed event`, async () => {
      const { job, outcome, events } = await run("avatar", fx[fixture]);
      expect(outcome).toMatchObject({ status: "done", keyPrefix: job.outputPrefix });
      for (const size of [48, 88, 176]) {
        expect(await dimensions(`${job.outputPrefix}${size}.jpg`)).toEqual([size, size, "mjpeg"]);
      }
      expect(events).toEqual([
        expect.objectContaining({ type: "channel-image", keyPrefix: job.outputPrefix }),
      ]);
      expect(await readdir(workDir)).toEqual([]);
    });
  }

  it("banner from a transparent PNG → 1280x212 and 2560x424", async () => {
    const { job, outcome } = await run("banner", fx["poster-1600x900-alpha.png"]);
    expect(outcome.status).toBe("done");
    expect(await dimensions(`${job.outputPrefix}1280x212.jpg`)).toEqual([1280, 212, "mjpeg"]);
    expect(await dimensions(`${job.outputPrefix}2560x424.jpg`)).toEqual([2560, 424, "mjpeg"]);
  });

  it("a video is not an avatar → failed with a readable reason, reported as channel-image-failed", async () => {
    const { job, outcome, events } = await run("avatar", fx["clip-640x360-2s.mp4"]);
    expect(outcome).toEqual({
      status: "failed",
      reason:
        "not a usable avatar: expected a JPEG, PNG or WebP image (found h264 in mov,mp4,m4a,3gp,3g2,mj2)",
    });
    expect(events).toEqual([expect.objectContaining({ type: "channel-image-failed", userId: job.userId })]);
    expect(await readdir(workDir)).toEqual([]);
  });
});
