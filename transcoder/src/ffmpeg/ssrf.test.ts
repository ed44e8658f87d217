/**
 * Issue 11 hole 1 (docs/adr/0009): an upload that is really a playlist must not make
 * ffprobe/ffmpeg open the URLs it names. For every nested-URL format ffmpeg 5 probes,
 * a hostile file named `.mp4` points at a loopback canary; the real probe entry point
 * (over a presigned URL and on a local file) and the whole job (s3rver + real ffmpeg)
 * must refuse it with a readable reason, and the canary must see nothing.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PosterJobV1 } from "@streamline/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpEventReporter } from "../events.ts";
import { handleJob } from "../handle-job.ts";
import { handlePosterJob } from "../handle-poster-job.ts";
import { type EventRecorder, startEventRecorder } from "../testing/event-recorder.ts";
import { testVideoId, transcodeJobFor } from "../testing/jobs.ts";
import { ffmpegForTests } from "../testing/media.ts";
import { type Canary, nestedUrlCorpus, startCanary } from "../testing/nested-url-corpus.ts";
import { startTestS3, type TestS3 } from "../testing/s3.ts";
import { httpInputArgs } from "./hls.ts";
import { unsupportedFormatReason } from "./input-policy.ts";
import type { FfmpegBinaries } from "./locate.ts";
import { NotAVideoError, probeFile } from "./probe.ts";

const SECRET = "test-secret-ssrf-suite";
const bins = await ffmpegForTests();
// The corpus needs a canary URL to be written; the names alone drive `it.each`.
const NAMES = nestedUrlCorpus({
  url: "http://x",
  host: "x",
  port: 0,
  udpPort: 0,
  hits: [],
  close: async () => {},
});

describe.skipIf(!bins)("untrusted media never opens nested URLs", () => {
  const ffmpeg = bins as FfmpegBinaries;
  let canary: Canary;
  let s3: TestS3;
  let edge: EventRecorder;
  let workDir: string;
  let files: Map<string, string>;

  beforeAll(async () => {
    [canary, s3, edge] = await Promise.all([startCanary(), startTestS3(), startEventRecorder(SECRET)]);
    workDir = await mkdtemp(join(tmpdir(), "streamline-ssrf-"));
    files = new Map(nestedUrlCorpus(canary).map((f) => [f.name, f.body]));
  });
  afterAll(async () => {
    await Promise.all([canary?.close(), s3?.close(), edge?.close()]);
    await rm(workDir, { recursive: true, force: true });
  });

  const body = (name: string) => files.get(name) as string;

  it.each(NAMES.map((f) => [f.name, f.format]))(
    "probe entry point refuses %s (%s) over a presigned URL and as a local file",
    async (name) => {
      canary.hits.length = 0;
      const key = `uploads/probe-${name}/source`;
      await s3.put(key, body(name), "video/mp4");
      const url = await s3.storage.presignGet(key, 600);
      const overUrl = await probeFile(ffmpeg.ffprobe, url, { inputArgs: httpInputArgs() }).catch(
        (e: unknown) => e,
      );
      expect(canary.hits, `canary hits for ${name} over the URL`).toEqual([]);
      expect(overUrl, "over the URL").toBeInstanceOf(Error);

      const local = join(workDir, `probe-${name}`);
      await writeFile(local, body(name));
      const onDisk = await probeFile(ffmpeg.ffprobe, local).catch((e: unknown) => e);
      expect(canary.hits, `canary hits for ${name} on disk`).toEqual([]);
      expect(onDisk).toBeInstanceOf(NotAVideoError);
      expect((onDisk as NotAVideoError).reason).toMatch(
        /^not a playable video: not a supported video format/,
      );
    },
  );

  it.each(NAMES.map((f) => [f.name, f.note, f.format]))(
    "a job on %s fails readably (%s)",
    async (name, _note, format) => {
      canary.hits.length = 0;
      const job = transcodeJobFor(testVideoId("ssrf"));
      await s3.put(job.source.key, body(name), "video/mp4");
      const reporter = new HttpEventReporter({ edgeUrl: edge.url, secret: SECRET, job, node: "test-node" });
      const outcome = await handleJob(job, {
        storage: s3.storage,
        reporter,
        ffmpeg,
        workDir,
        encoder: { preset: "veryfast" },
        limits: { threads: 1 },
        heartbeatMs: 1000,
      });
      expect(canary.hits, `canary hits for ${name}`).toEqual([]);
      expect(outcome).toMatchObject({ status: "failed", retryable: false });
      if (outcome.status === "failed") {
        expect(outcome.reason).toBe(`not a playable video: ${unsupportedFormatReason(format)}`);
        expect(outcome.reason).not.toContain(canary.url);
      }
      const failed = edge.events.find((e) => e.attemptId === job.attemptId && e.type === "failed");
      expect(failed).toBeDefined();
    },
  );

  it.each(NAMES.map((f) => [f.name]))("a poster job on %s fails as 'not a usable poster'", async (name) => {
    canary.hits.length = 0;
    const videoId = `v_ssrfposter${Math.random().toString(36).slice(2, 8).padEnd(6, "x")}`;
    const job: PosterJobV1 = {
      v: 1,
      type: "poster",
      jobId: `p_${videoId}`,
      videoId,
      attempt: 1,
      attemptId: `a_${videoId}`,
      source: { key: `uploads/${videoId}/poster-source` },
      outputPrefix: `videos/${videoId}/`,
      createdAt: new Date().toISOString(),
    };
    await s3.put(job.source.key, body(name), "image/jpeg");
    const reporter = new HttpEventReporter({ edgeUrl: edge.url, secret: SECRET, job, node: "test-node" });
    const outcome = await handlePosterJob(job, { storage: s3.storage, reporter, ffmpeg, workDir });
    expect(canary.hits, `canary hits for ${name}`).toEqual([]);
    expect(outcome).toMatchObject({ status: "failed", retryable: false });
    if (outcome.status === "failed") {
      expect(outcome.reason).toBe("not a usable poster: expected a JPEG, PNG or WebP image");
    }
  });
});
