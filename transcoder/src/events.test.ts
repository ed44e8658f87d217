import {
  type ProbeResult,
  type Rendition,
  SIGNATURE_HEADER,
  type TranscodeJobV1,
  verifyRequest,
} from "@streamline/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpEventReporter } from "./events.ts";
import { type EventRecorder, startEventRecorder } from "./testing/event-recorder.ts";

const SECRET = "test-secret-events";
const job: TranscodeJobV1 = {
  v: 1,
  type: "transcode",
  jobId: "job-events",
  videoId: "v_AAAAAAAAAAAAAAAA",
  attempt: 1,
  attemptId: "attempt-events-1",
  source: { key: "uploads/v_AAAAAAAAAAAAAAAA/source", size: 1, contentType: "video/mp4" },
  outputPrefix: "videos/v_AAAAAAAAAAAAAAAA/",
  createdAt: new Date().toISOString(),
};
const probe: ProbeResult = {
  durationSec: 1,
  width: 2,
  height: 2,
  displayWidth: 2,
  displayHeight: 2,
  rotation: 0,
  fps: 30,
  videoCodec: "h264",
  audioCodec: null,
  hasAudio: false,
  audioTracks: 0,
};

describe("HttpEventReporter", () => {
  let edge: EventRecorder;
  beforeAll(async () => {
    edge = await startEventRecorder(SECRET);
  });
  afterAll(async () => {
    await edge.close();
  });

  it("sends signed, schema-valid events in order with monotonic seq", async () => {
    let clock = 0;
    const reporter = new HttpEventReporter({
      edgeUrl: edge.url,
      secret: SECRET,
      job,
      node: "n1",
      now: () => clock,
    });
    reporter.heartbeat();
    reporter.probed(probe);
    await reporter.flush();
    reporter.progress({ stage: "encode", percent: 10 });
    await reporter.flush();
    reporter.progress({ stage: "encode", percent: 11 }); // throttled: < 1 s later, same stage
    clock += 1500;
    reporter.progress({ stage: "encode", percent: 150, fps: 30, speed: 1.5, etaSec: 3.4 });
    reporter.failed("boom", false);
    await reporter.flush();
    expect(edge.rejected).toEqual([]);
    expect(edge.events.map((e) => e.type)).toEqual(["heartbeat", "probed", "progress", "progress", "failed"]);
    const seqs = edge.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(edge.events[2]).toMatchObject({ type: "progress", percent: 10, stage: "encode" });
    expect(edge.events[3]).toMatchObject({ type: "progress", percent: 100, fps: 30, speed: 1.5, etaSec: 3 });
    expect(edge.events[0]).toMatchObject({
      v: 1,
      videoId: job.videoId,
      attemptId: job.attemptId,
      node: "n1",
    });
  });

  it("coalesces queued progress while the edge is slow", async () => {
    edge.events.length = 0;
    let clock = 0;
    const reporter = new HttpEventReporter({
      edgeUrl: edge.url,
      secret: SECRET,
      job,
      node: "n1",
      now: () => clock,
    });
    reporter.heartbeat(); // in flight
    for (let i = 1; i <= 5; i++) {
      clock += 2000;
      reporter.progress({ stage: "encode", percent: i * 10 });
    }
    reporter.heartbeat();
    reporter.heartbeat(); // coalesced with the one above while the queue waits
    await reporter.flush();
    expect(edge.events.map((e) => (e.type === "progress" ? e.percent : e.type))).toEqual([
      "heartbeat",
      50,
      "heartbeat",
    ]);
  });

  it("retries 5xx with backoff and never throws", async () => {
    edge.events.length = 0;
    edge.failNext(2, 503);
    const reporter = new HttpEventReporter({
      edgeUrl: edge.url,
      secret: SECRET,
      job,
      node: "n1",
      backoffMs: 10,
    });
    reporter.heartbeat();
    await reporter.flush();
    expect(edge.events.map((e) => e.type)).toEqual(["heartbeat"]);
  });

  it("gives up on an unreachable edge without throwing", async () => {
    const reporter = new HttpEventReporter({
      edgeUrl: "http://127.0.0.1:9",
      secret: SECRET,
      job,
      node: "n1",
      backoffMs: 1,
      attempts: 2,
      terminalAttempts: 2,
    });
    reporter.failed("x", true);
    await expect(reporter.flush()).resolves.toBeUndefined();
  });

  it("an edge restart loses nothing: events sent while it is down land, in order, once it is back", async () => {
    // The edge goes away (nothing listens on its port) and comes back on the same port later.
    const gone = await startEventRecorder(SECRET);
    const port = Number(new URL(gone.url).port);
    await gone.close();
    const reporter = new HttpEventReporter({
      edgeUrl: gone.url,
      secret: SECRET,
      job,
      node: "n1",
      backoffMs: 100, // 100, 200, 400 … ms: the 5 attempts the sender used to stop at take 1.5 s
      progressIntervalMs: 0,
    });
    reporter.heartbeat();
    reporter.probed(probe);
    reporter.progress({ stage: "encode", percent: 40 });
    const rendition: Rendition = {
      name: "360p",
      kind: "video",
      width: 640,
      height: 360,
      bandwidth: 800_000,
      averageBandwidth: 700_000,
      codecs: "avc1.4d401e,mp4a.40.2",
      frameRate: 30,
      playlist: "360p/index.m3u8",
    };
    reporter.rendition(rendition, `${job.outputPrefix}master.m3u8`);
    reporter.done({
      probe,
      renditions: [rendition],
      masterKey: `${job.outputPrefix}master.m3u8`,
      posterKey: null,
    });
    await new Promise((r) => setTimeout(r, 2_000)); // down for longer than the old give-up point
    const back = await startEventRecorder(SECRET, port);
    try {
      await reporter.flush(15_000);
      expect(back.events.map((e) => e.type)).toEqual([
        "heartbeat",
        "probed",
        "progress",
        "rendition",
        "done",
      ]);
      const seqs = back.events.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    } finally {
      await back.close();
    }
  });

  it("gives up on an ordinary event after its time budget and still delivers what follows", async () => {
    edge.events.length = 0;
    edge.failNext(1_000, 503);
    const reporter = new HttpEventReporter({
      edgeUrl: edge.url,
      secret: SECRET,
      job,
      node: "n1",
      backoffMs: 20,
      retryForMs: 300,
    });
    const started = Date.now();
    reporter.heartbeat();
    reporter.failed("boom", true);
    await new Promise((r) => setTimeout(r, 400)); // the heartbeat's budget is spent
    edge.failNext(0);
    await reporter.flush(10_000);
    expect(edge.events.map((e) => e.type)).toEqual(["failed"]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("tells the job when the edge says the attempt is stale (409)", async () => {
    edge.failNext(1, 409);
    let stale = 0;
    const reporter = new HttpEventReporter({
      edgeUrl: edge.url,
      secret: SECRET,
      job,
      node: "n1",
      onStale: (status) => {
        stale = status;
      },
    });
    reporter.heartbeat();
    await reporter.flush();
    expect(stale).toBe(409);
  });

  it("a wrong secret is rejected by the edge (signature is really checked)", async () => {
    const before = edge.rejected.length;
    const reporter = new HttpEventReporter({ edgeUrl: edge.url, secret: "other", job, node: "n1" });
    reporter.heartbeat();
    await reporter.flush();
    expect(edge.rejected.slice(before)).toEqual([{ status: 401, reason: "mismatch" }]);
  });

  it("never sends an event naming a key outside videos/<id>/ (validated before signing)", async () => {
    const [before, rejectedBefore] = [edge.events.length, edge.rejected.length];
    const reporter = new HttpEventReporter({ edgeUrl: edge.url, secret: SECRET, job, node: "n1" });
    reporter.poster({ posterKey: "videos/v_BBBBBBBBBBBBBBBB/poster.jpg", posterWebpKey: null });
    reporter.poster({
      posterKey: `${job.outputPrefix}../v_BBBBBBBBBBBBBBBB/poster.jpg`,
      posterWebpKey: null,
    });
    reporter.poster({ posterKey: `${job.outputPrefix}poster.jpg`, posterWebpKey: null });
    await reporter.flush();
    expect(edge.events.slice(before)).toMatchObject([
      { type: "poster", posterKey: `${job.outputPrefix}poster.jpg` },
    ]);
    expect(edge.rejected.slice(rejectedBefore)).toEqual([]); // dropped here, never sent
  });

  it("signs fleet→edge over POST, the events path (under EDGE_URL's own path) and the body", async () => {
    const sent: { url: string; body: string; signature: string }[] = [];
    const reporter = new HttpEventReporter({
      edgeUrl: "https://edge.example/base/",
      secret: SECRET,
      job,
      node: "n1",
      fetch: async (url, init) => {
        const headers = new Headers(init?.headers);
        sent.push({ url: String(url), body: String(init?.body), signature: headers.get(SIGNATURE_HEADER)! });
        return new Response(null, { status: 204 });
      },
    });
    reporter.heartbeat();
    await reporter.flush();
    const [{ url, body, signature }] = sent as [(typeof sent)[0]];
    const path = "/base/internal/transcoder/events";
    expect(url).toBe(`https://edge.example${path}`);
    const check = (direction: "fleet-to-edge" | "edge-to-fleet", p = path, method = "POST") =>
      verifyRequest(SECRET, direction, { method, path: p, body }, signature);
    expect((await check("fleet-to-edge")).ok).toBe(true);
    expect(await check("edge-to-fleet")).toEqual({ ok: false, reason: "mismatch" });
    expect(await check("fleet-to-edge", "/internal/transcoder/events")).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(await check("fleet-to-edge", path, "PUT")).toEqual({ ok: false, reason: "mismatch" });
  });
});
