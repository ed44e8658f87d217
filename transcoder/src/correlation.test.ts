/**
 * The request id of a dispatch (ADR 0028): taken from `x-request-id`, put on every log line
 * the job writes (with its video, job and attempt), and sent back in the job's events.
 */
import { SIGNATURE_HEADER, signRequest, type TranscodeJobV1 } from "@streamline/contracts";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { HttpEventReporter } from "./events.ts";
import { MemoryCancelBus } from "./fleet/cancel-bus.ts";
import { MemoryJobClaims } from "./fleet/claims.ts";
import { MemoryNodeRegistry } from "./fleet/registry.ts";
import { log } from "./log.ts";
import { JobRunner } from "./runner.ts";
import { createApp } from "./server.ts";

const SECRET = "test-secret-correlation-0123456789";
const VIDEO = "v_c0rre1at10nV1de0";

const job: TranscodeJobV1 = {
  v: 1,
  type: "transcode",
  jobId: "j_c0rre1at10nV1de0",
  videoId: VIDEO,
  attempt: 2,
  attemptId: "a_correlation-2",
  source: { key: `uploads/${VIDEO}/source`, size: 100, contentType: "video/mp4" },
  outputPrefix: `videos/${VIDEO}/`,
  createdAt: new Date().toISOString(),
  requestId: "from-the-queue-body",
};

type Sent = { body: Record<string, unknown>; headers: Headers };

function node() {
  const sent: Sent[] = [];
  const fetcher: typeof fetch = async (_url, init) => {
    sent.push({ body: JSON.parse(String(init?.body)), headers: new Headers(init?.headers) });
    return new Response(JSON.stringify({ outcome: "applied" }), { status: 200 });
  };
  let finished!: Promise<void>;
  const runner = new JobRunner({
    nodeId: "node-corr",
    maxJobs: 1,
    claims: new MemoryJobClaims(),
    claimTtlMs: 15_000,
    execute: async (running) => {
      const reporter = new HttpEventReporter({
        edgeUrl: "http://edge.test",
        secret: SECRET,
        job: running as TranscodeJobV1,
        node: "node-corr",
        fetch: fetcher,
      });
      finished = (async () => {
        await Promise.resolve();
        log.info("encoding a rung", { rung: "360p" });
        reporter.failed("the source could not be decoded", false);
        await reporter.flush(5000);
      })();
      await finished;
      return { status: "failed", reason: "x", retryable: false };
    },
  });
  const registry = new MemoryNodeRegistry();
  const app = createApp({
    runner,
    secret: SECRET,
    nodeId: "node-corr",
    fleet: {
      backend: "memory",
      cancels: new MemoryCancelBus(),
      registry,
      describe: () => ({
        nodeId: "node-corr",
        capacity: 1,
        running: [],
        draining: false,
        startedAt: new Date().toISOString(),
        version: "test",
        lastSeen: new Date().toISOString(),
      }),
    },
  });
  return { app, sent, done: () => finished };
}

async function dispatch(app: ReturnType<typeof createApp>, headers: Record<string, string>) {
  const body = JSON.stringify(job);
  const signature = await signRequest(SECRET, "edge-to-fleet", { method: "POST", path: "/jobs", body });
  return app.request("/jobs", {
    method: "POST",
    body,
    headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature, ...headers },
  });
}

describe("correlation ids on a transcoder node", () => {
  let out: MockInstance;
  let err: MockInstance;
  const level = process.env.LOG_LEVEL;
  beforeEach(() => {
    process.env.LOG_LEVEL = "info";
    out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  });
  afterEach(() => {
    if (level === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = level;
    vi.restoreAllMocks();
  });

  const lines = () =>
    [...out.mock.calls, ...err.mock.calls].flatMap((args) =>
      String(args[0])
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    );

  it("every line of the job carries the dispatch's x-request-id and the job's ids; its events return it", async () => {
    const { app, sent, done } = node();
    const res = await dispatch(app, { "x-request-id": "edge-req-7f3a" });
    expect(res.status).toBe(202);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    await done();
    const ids = { requestId: "edge-req-7f3a", videoId: VIDEO, jobId: job.jobId, attempt: 2 };
    const accepted = lines().find((l) => l.msg === "job accepted");
    expect(accepted).toMatchObject(ids);
    const working = lines().find((l) => l.msg === "encoding a rung");
    expect(working).toMatchObject({ ...ids, attemptId: job.attemptId, rung: "360p" });
    expect(sent[0]!.body).toMatchObject({ type: "failed", videoId: VIDEO, requestId: "edge-req-7f3a" });
    expect(sent[0]!.headers.get("x-request-id")).toBe("edge-req-7f3a");
  });

  it("without a sane header the id queued in the job is used", async () => {
    const { app, sent, done } = node();
    expect((await dispatch(app, { "x-request-id": "bad id with spaces" })).status).toBe(202);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    await done();
    expect(lines().find((l) => l.msg === "encoding a rung")).toMatchObject({
      requestId: "from-the-queue-body",
      videoId: VIDEO,
    });
    expect(sent[0]!.body.requestId).toBe("from-the-queue-body");
  });
});
