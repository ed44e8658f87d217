import {
  type Job,
  SIGNATURE_HEADER,
  type SignatureDirection,
  signRequest,
  type TranscodeJobV1,
  TranscoderHealth,
} from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { MemoryCancelBus } from "./fleet/cancel-bus.ts";
import { type JobClaims, MemoryJobClaims } from "./fleet/claims.ts";
import { MemoryNodeRegistry, type NodeInfo } from "./fleet/registry.ts";
import { JobCancelledError } from "./fleet/stop-reasons.ts";
import type { JobOutcome } from "./handle-job.ts";
import { IMAGE_JOB_SLOTS, type JobContext, JobRunner } from "./runner.ts";
import { createApp } from "./server.ts";

const SECRET = "test-secret-server";

/** A signature as the edge makes it, unless told otherwise (another path, direction, time, key). */
function sign(
  body: string,
  opts: { path?: string; method?: string; direction?: SignatureDirection; at?: number; secret?: string } = {},
) {
  const req = { method: opts.method ?? "POST", path: opts.path ?? "/jobs", body };
  return signRequest(opts.secret ?? SECRET, opts.direction ?? "edge-to-fleet", req, opts.at);
}

function makeJob(n: number, attempt = 1): TranscodeJobV1 {
  const id = `v_${String(n).padStart(16, "0")}`;
  return {
    v: 1,
    type: "transcode",
    jobId: `job-${n}`,
    videoId: id,
    attempt,
    attemptId: `attempt-${n}-${attempt}`,
    source: { key: `uploads/${id}/source`, size: 100, contentType: "video/mp4" },
    outputPrefix: `videos/${id}/`,
    createdAt: new Date().toISOString(),
  };
}

/** A runner whose jobs run until the test lets them finish (or they are aborted). */
function harness(maxJobs = 1, claims: JobClaims = new MemoryJobClaims(), metricsToken?: string) {
  const started: { job: Job; ctx: JobContext; finish: (o: JobOutcome) => void }[] = [];
  const cancels = new MemoryCancelBus();
  const registry = new MemoryNodeRegistry();
  const runner = new JobRunner({
    nodeId: "node-test",
    maxJobs,
    claims,
    claimTtlMs: 15_000,
    isCancelled: (jobId) => cancels.isCancelled(jobId),
    execute: (job, ctx) =>
      new Promise<JobOutcome>((resolve) => {
        started.push({ job, ctx, finish: resolve });
        ctx.signal.addEventListener("abort", () =>
          resolve({
            status: "failed",
            reason: String((ctx.signal.reason as Error).message),
            retryable: true,
          }),
        );
      }),
  });
  void cancels.subscribe((m) => runner.cancel(m.jobId, m.reason, m.videoId));
  const describeNode = (): NodeInfo => ({
    nodeId: "node-test",
    capacity: runner.capacity,
    running: runner.snapshot(),
    draining: runner.isDraining,
    startedAt: "2026-01-01T00:00:00.000Z",
    version: "test",
    lastSeen: new Date().toISOString(),
  });
  const app = createApp({
    runner,
    secret: SECRET,
    metricsToken,
    nodeId: "node-test",
    fleet: { backend: "memory", cancels, registry, describe: describeNode },
  });
  const post = async (body: string, signature?: string | null, path = "/jobs") => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    const sig = signature === undefined ? await sign(body, { path }) : signature;
    if (sig) headers[SIGNATURE_HEADER] = sig;
    return app.request(path, { method: "POST", body, headers });
  };
  const cancel = (jobId: string, body: Record<string, unknown>, signature?: string | null) =>
    post(JSON.stringify(body), signature, `/jobs/${jobId}/cancel`);
  const getFleet = async (signature?: string | null) => {
    const sig = signature === undefined ? await sign("", { method: "GET", path: "/fleet" }) : signature;
    return app.request("/fleet", { headers: sig ? { [SIGNATURE_HEADER]: sig } : {} });
  };
  return { runner, app, started, post, cancel, getFleet, registry };
}

describe("POST /jobs", () => {
  it("401 without, with a wrong, or with a stale signature", async () => {
    const { post } = harness();
    const body = JSON.stringify(makeJob(1));
    for (const sig of [
      null,
      await sign(body, { secret: "wrong-secret" }),
      await sign(body, { at: 1_000_000 }),
    ]) {
      const res = await post(body, sig);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "bad_signature" } });
    }
  });

  it("the signature covers the raw body: re-serialised JSON does not verify", async () => {
    const { post } = harness();
    const body = JSON.stringify(makeJob(1));
    const res = await post(JSON.stringify(JSON.parse(body), null, 2), await sign(body));
    expect(res.status).toBe(401);
  });

  it("a fleet→edge signature (an event's, same secret, path and body) does not authorise a job", async () => {
    const { post, started } = harness();
    const body = JSON.stringify(makeJob(1));
    const res = await post(body, await sign(body, { direction: "fleet-to-edge" }));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      error: { code: "bad_signature", message: "job signature mismatch" },
    });
    expect(started).toHaveLength(0);
  });

  it("a signature binds the path and method: another route's signature does not verify here", async () => {
    const { post, started } = harness();
    const body = JSON.stringify(makeJob(1));
    for (const sig of [
      await sign(body, { path: "/jobs/job-1/cancel" }),
      await sign(body, { path: "/jobs?retry=1" }),
      await sign(body, { method: "PUT" }),
    ]) {
      expect((await post(body, sig)).status).toBe(401);
    }
    expect(started).toHaveLength(0);
  });

  it("400 for malformed JSON and for a payload that is not a Job, with issues", async () => {
    const { post } = harness();
    const bad = await post("{nope");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "invalid_json" } });
    const wrong = await post(JSON.stringify({ ...makeJob(1), videoId: "nope" }));
    expect(wrong.status).toBe(400);
    const json = (await wrong.json()) as { error: { code: string; issues: unknown[] } };
    expect(json.error.code).toBe("invalid_job");
    expect(json.error.issues.length).toBeGreaterThan(0);
  });

  it("202 accepts and runs the job in the background; healthz reports the slot", async () => {
    const { post, app, started } = harness(2);
    const res = await post(JSON.stringify(makeJob(1)));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: true });
    expect(started).toHaveLength(1);
    const health = await app.request("/healthz");
    const body: unknown = await health.json();
    expect(body).toEqual({
      ok: true,
      node: "node-test",
      running: 1,
      capacity: 2,
      draining: false,
    });
    // The shape the edge reads (contracts TranscoderHealth).
    expect(TranscoderHealth.safeParse(body).success).toBe(true);
  });

  it("409 for the same attempt, 409 + Retry-After for another attempt of a running job", async () => {
    const { post } = harness(4);
    expect((await post(JSON.stringify(makeJob(1)))).status).toBe(202);
    const dup = await post(JSON.stringify(makeJob(1)));
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ error: { code: "already_running" } });
    const other = await post(JSON.stringify(makeJob(1, 2)));
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ error: { code: "job_claimed" } });
    expect(Number(other.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("429 with Retry-After when every slot is busy; accepts again once a job ends", async () => {
    const { post, started, runner } = harness(1);
    expect((await post(JSON.stringify(makeJob(1)))).status).toBe(202);
    const full = await post(JSON.stringify(makeJob(2)));
    expect(full.status).toBe(429);
    expect(full.headers.get("retry-after")).toBe("30");
    expect(await full.json()).toMatchObject({ error: { code: "at_capacity" } });
    started[0]?.finish({ status: "failed", reason: "x", retryable: false });
    await waitUntil(() => runner.runningCount === 0);
    expect((await post(JSON.stringify(makeJob(2)))).status).toBe(202);
  });

  it("image jobs have their own small budget: admitted while transcodes fill every slot, capped apart", async () => {
    const { post, started } = harness(1);
    expect((await post(JSON.stringify(makeJob(1)))).status).toBe(202);
    const avatar = (n: number) => {
      const attemptId = `a_avatar${String(n).padStart(12, "0")}`;
      const userId = `u_${String(n).padStart(16, "0")}`;
      return JSON.stringify({
        v: 1,
        type: "channel-image",
        jobId: `c_${n}`,
        userId,
        kind: "avatar",
        attempt: 1,
        attemptId,
        source: { key: `uploads/channels/${userId}/avatar-source` },
        outputPrefix: `channels/${userId}/avatar/${attemptId}/`,
        createdAt: new Date().toISOString(),
      });
    };
    const answers = [];
    for (let n = 1; n <= IMAGE_JOB_SLOTS + 1; n++) answers.push(await post(avatar(n)));
    expect(answers.map((a) => a.status)).toEqual([...Array(IMAGE_JOB_SLOTS).fill(202), 429]);
    expect(answers.at(-1)!.headers.get("retry-after")).toBe("5");
    expect(started.map((s) => s.job.type)).toEqual([
      "transcode",
      ...Array(IMAGE_JOB_SLOTS).fill("channel-image"),
    ]);
    // …and they never take a transcode's slot.
    expect((await post(JSON.stringify(makeJob(2)))).status).toBe(429);
  });

  it("concurrent submits never overbook the slots", async () => {
    const { post } = harness(2);
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => post(JSON.stringify(makeJob(n)))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 202, 429, 429, 429]);
  });
});

describe("POST /jobs/:jobId/cancel (in memory: this node)", () => {
  it("401 unsigned; 400 for a bad body or a path/body mismatch", async () => {
    const { cancel } = harness();
    const body = { jobId: "job-1", videoId: "v_0000000000000001", reason: "video deleted" };
    expect((await cancel("job-1", body, null)).status).toBe(401);
    const raw = JSON.stringify(body);
    const path = "/jobs/job-1/cancel";
    expect((await cancel("job-1", body, await sign(raw, { path, secret: "wrong" }))).status).toBe(401);
    // Another job's cancel, or an event's signature over the same bytes, does not verify here.
    expect((await cancel("job-1", body, await sign(raw, { path: "/jobs/job-2/cancel" }))).status).toBe(401);
    expect((await cancel("job-1", body, await sign(raw, { path, direction: "fleet-to-edge" }))).status).toBe(
      401,
    );
    const bad = await cancel("job-1", { jobId: "job-1" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "invalid_cancel" } });
    const mismatch = await cancel("job-2", body);
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toMatchObject({ error: { code: "job_id_mismatch" } });
  });

  it("202 and aborts the running job with a JobCancelledError; the claim is released", async () => {
    const claims = new MemoryJobClaims();
    const { post, cancel, started, runner } = harness(1, claims);
    const job = makeJob(1);
    expect((await post(JSON.stringify(job))).status).toBe(202);
    const res = await cancel(job.jobId, { jobId: job.jobId, videoId: job.videoId, reason: "video deleted" });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: true, node: "node-test", runningHere: true, receivers: 1 });
    const signal = started[0]!.ctx.signal;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(JobCancelledError);
    expect((signal.reason as Error).message).toBe("cancelled: video deleted");
    await waitUntil(() => runner.runningCount === 0);
    expect(await claims.holder(job.jobId)).toBeNull();
  });

  it("a cancel for another video's job id touches nothing", async () => {
    const { post, cancel, started } = harness();
    const job = makeJob(1);
    expect((await post(JSON.stringify(job))).status).toBe(202);
    const res = await cancel(job.jobId, { jobId: job.jobId, videoId: "v_9999999999999999", reason: "x" });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ runningHere: false });
    expect(started[0]!.ctx.signal.aborted).toBe(false);
  });

  it("a job cancelled before it arrives is refused with 409 job_cancelled (the edge acks it)", async () => {
    const { post, cancel, started } = harness();
    const job = makeJob(3);
    const res = await cancel(job.jobId, { jobId: job.jobId, videoId: job.videoId, reason: "video deleted" });
    expect(await res.json()).toMatchObject({ runningHere: false });
    const refused = await post(JSON.stringify(job));
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: "job_cancelled" } });
    expect(started).toHaveLength(0);
  });
});

describe("claim store failures", () => {
  it("503 claims_unavailable with Retry-After when the store throws; nothing starts", async () => {
    const broken: JobClaims = {
      claim: async () => {
        throw new Error("ECONNREFUSED");
      },
      extend: async () => false,
      release: async () => {},
      holder: async () => null,
    };
    const { post, started, runner } = harness(1, broken);
    const res = await post(JSON.stringify(makeJob(1)));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.json()).toMatchObject({ error: { code: "claims_unavailable" } });
    expect(started).toHaveLength(0);
    expect(runner.runningCount).toBe(0);
  });

  it("a lost claim (extend answers false) aborts the job", async () => {
    const claims = new MemoryJobClaims();
    const { post, started } = harness(1, claims);
    const job = makeJob(1);
    expect((await post(JSON.stringify(job))).status).toBe(202);
    await claims.release(job.jobId, { nodeId: "node-test", attemptId: job.attemptId });
    await claims.claim(job.jobId, { nodeId: "elsewhere", attemptId: "attempt-1-2" }, 10_000);
    await started[0]!.ctx.onHeartbeat();
    expect(started[0]!.ctx.signal.aborted).toBe(true);
    expect((started[0]!.ctx.signal.reason as Error).name).toBe("ClaimLostError");
  });
});

describe("GET /fleet (in memory: just this node)", () => {
  it("401 unsigned; 200 lists this node with its running jobs and stages", async () => {
    const { getFleet, post, started } = harness(2);
    expect((await getFleet(null)).status).toBe(401);
    expect((await getFleet(await sign("", { method: "GET", path: "/jobs" }))).status).toBe(401);
    expect((await getFleet(await sign("", { method: "POST", path: "/fleet" }))).status).toBe(401);
    const job = makeJob(1);
    expect((await post(JSON.stringify(job))).status).toBe(202);
    started[0]!.ctx.onProgress("encode", 42.5);
    const res = await getFleet();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { backend: string; nodes: NodeInfo[] };
    expect(body.backend).toBe("memory");
    expect(body.nodes).toHaveLength(1);
    expect(body.nodes[0]).toMatchObject({
      nodeId: "node-test",
      capacity: 2,
      draining: false,
      version: "test",
      running: [
        {
          jobId: job.jobId,
          videoId: job.videoId,
          attempt: 1,
          attemptId: job.attemptId,
          stage: "encode",
          percent: 42.5,
        },
      ],
    });
  });
});

describe("graceful shutdown", () => {
  it("draining: 503 for new jobs and healthz; running jobs finish within the grace period", async () => {
    const { post, app, started, runner } = harness(2);
    expect((await post(JSON.stringify(makeJob(1)))).status).toBe(202);
    const draining = runner.drain(5_000);
    const res = await post(JSON.stringify(makeJob(2)));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBeTruthy();
    const health = await app.request("/healthz");
    expect(health.status).toBe(503);
    expect(TranscoderHealth.parse(await health.json())).toMatchObject({ ok: false, draining: true });
    started[0]?.finish({ status: "failed", reason: "done", retryable: false });
    await draining;
    expect(started[0]?.ctx.signal.aborted).toBe(false);
    expect(runner.runningCount).toBe(0);
  });

  it("past the grace period, running jobs are cancelled (and release their claim)", async () => {
    const { post, started, runner } = harness(1);
    expect((await post(JSON.stringify(makeJob(1)))).status).toBe(202);
    await runner.drain(50);
    expect(started[0]?.ctx.signal.aborted).toBe(true);
    expect(String((started[0]?.ctx.signal.reason as Error | undefined)?.message)).toMatch(/shutting down/);
    expect(runner.runningCount).toBe(0);
  });
});

async function waitUntil(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("GET /metrics", () => {
  it("is open without METRICS_TOKEN and serves Prometheus text", async () => {
    const res = await harness().app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain("# TYPE streamline_transcoder_jobs_in_flight gauge");
  });

  it("asks for the bearer token when METRICS_TOKEN is set", async () => {
    const { app } = harness(1, new MemoryJobClaims(), "scrape-token-123");
    const none = await app.request("/metrics");
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    const wrong = await app.request("/metrics", { headers: { authorization: "Bearer scrape-token-124" } });
    expect(wrong.status).toBe(401);
    const right = await app.request("/metrics", { headers: { authorization: "Bearer scrape-token-123" } });
    expect(right.status).toBe(200);
  });
});
