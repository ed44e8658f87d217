/**
 * The wired process (config → ffmpeg → storage → reporter → runner → HTTP) end to end:
 * a signed job over real HTTP, outputs in s3rver, events at a recording edge.
 */
import { readFile } from "node:fs/promises";
import { SIGNATURE_HEADER, signRequest, type TranscodeJobV1 } from "@streamline/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures } from "../../scripts/make-fixtures.ts";
import { loadConfig } from "./config.ts";
import { type StartedTranscoder, startTranscoder } from "./main.ts";
import { type EventRecorder, startEventRecorder } from "./testing/event-recorder.ts";
import { ffmpegForTests } from "./testing/media.ts";
import { parsePrometheusText } from "./testing/prometheus-text.ts";
import { startTestS3, type TestS3 } from "./testing/s3.ts";

const SECRET = "main-test-secret-4e8b2f6a1c9d3057";
const M = "streamline_transcoder_";
const JOB_DONE = `${M}job_duration_seconds_count{kind="transcode",outcome="done"}`;

async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return parsePrometheusText(await res.text());
}
const bins = await ffmpegForTests();

describe.skipIf(!bins)("startTranscoder over HTTP", () => {
  let s3: TestS3;
  let edge: EventRecorder;
  let node: StartedTranscoder;
  beforeAll(async () => {
    [s3, edge] = await Promise.all([startTestS3(), startEventRecorder(SECRET)]);
    node = await startTranscoder(
      loadConfig({
        STREAMLINE_DEV: "1", // s3rver's fixed credentials
        TRANSCODER_SECRET: SECRET,
        PORT: "0",
        S3_ENDPOINT: s3.endpoint,
        EDGE_URL: edge.url,
        HEARTBEAT_MS: "500",
        MAX_JOBS: "1",
        SHUTDOWN_GRACE_MS: "5000",
      }),
    );
  });
  afterAll(async () => {
    await node?.stop();
    await Promise.all([s3?.close(), edge?.close()]);
  });

  it("accepts a signed job, transcodes it and reports done", async () => {
    const { "noaudio-640x360-4s.mp4": fixture } = await ensureFixtures(["noaudio-640x360-4s.mp4"]);
    const videoId = "v_MAINTEST00000001";
    await s3.put(`uploads/${videoId}/source`, await readFile(fixture), "video/mp4");
    const job: TranscodeJobV1 = {
      v: 1,
      type: "transcode",
      jobId: "job-main-1",
      videoId,
      attempt: 1,
      attemptId: "attempt-main-1",
      source: { key: `uploads/${videoId}/source`, size: 1, contentType: "video/mp4" },
      outputPrefix: `videos/${videoId}/`,
      createdAt: new Date().toISOString(),
    };
    const body = JSON.stringify(job);
    const post = async () =>
      fetch(`${node.url}/jobs`, {
        method: "POST",
        body,
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: await signRequest(SECRET, "edge-to-fleet", {
            method: "POST",
            path: "/jobs",
            body,
          }),
        },
      });
    const before = await scrape(node.url);
    const res = await post();
    expect(res.status).toBe(202);
    expect((await post()).status).toBe(409); // redelivery while running

    const health = await (await fetch(`${node.url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, running: 1, capacity: 1 });

    await edge.waitFor((events) => events.some((e) => e.type === "done" || e.type === "failed"), 90_000);
    const last = edge.events.at(-1);
    expect(last?.type).toBe("done");
    if (last?.type === "done") {
      expect(last.renditions.map((r) => r.name)).toEqual(["360p", "240p"]);
      expect(last.renditions[0]?.codecs).toBe("avc1.4d401e");
    }
    const master = await s3.client.fetch(s3.url(`videos/${videoId}/master.m3u8`));
    expect(master.status).toBe(200);
    expect(edge.events.filter((e) => e.type === "heartbeat").length).toBeGreaterThanOrEqual(1);

    // The job moved the node's Prometheus counters (GET /metrics, parsed independently).
    await expect
      .poll(async () => (await scrape(node.url)).get(JOB_DONE) ?? 0)
      .toBe((before.get(JOB_DONE) ?? 0) + 1);
    const after = await scrape(node.url);
    const moved = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
    expect(moved(`${M}queue_wait_seconds_count{kind="transcode"}`)).toBe(1);
    expect(moved(`${M}phase_duration_seconds_count{phase="first_rung",rungs="240p"}`)).toBe(1);
    expect(moved(`${M}phase_duration_seconds_count{phase="ladder",rungs="360p"}`)).toBe(1);
    expect(moved(`${M}realtime_factor_count{phase="first_rung"}`)).toBe(1);
    expect(moved(`${M}storage_bytes_total{direction="in"}`)).toBeGreaterThan(0);
    expect(moved(`${M}storage_bytes_total{direction="out"}`)).toBeGreaterThan(0);
    expect(moved(`${M}ffmpeg_cpu_seconds_total`)).toBeGreaterThan(0);
    expect(moved(`${M}claim_conflicts_total`)).toBe(0); // the 409 above was this node's own duplicate
    expect(after.get(`${M}jobs_in_flight{kind="transcode"}`)).toBe(0);
  });

  it("serves /metrics as Prometheus text", async () => {
    const res = await fetch(`${node.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parsePrometheusText(await res.text());
    expect(samples.get(`${M}process_resident_memory_bytes`)).toBeGreaterThan(0);
  });
});
