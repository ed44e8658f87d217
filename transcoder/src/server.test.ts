import { SIGNATURE_HEADER, signBody, type TranscodeJobV1 } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { MemoryJobClaims } from "./claims.ts";
import type { JobOutcome } from "./handle-job.ts";
import { type JobContext, JobRunner } from "./runner.ts";
import { createApp } from "./server.ts";

const SECRET = "test-secret-server";

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
function harness(maxJobs = 1) {
  const started: { job: TranscodeJobV1; ctx: JobContext; finish: (o: JobOutcome) => void }[] = [];
  const runner = new JobRunner({
    maxJobs,
    claims: new MemoryJobClaims(),
    claimTtlMs: 15_000,
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
  const app = createApp({ runner, secret: SECRET, nodeId: "node-test" });
  const post = async (body: string, signature?: string | null) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    const sig = signature === undefined ? await signBody(SECRET, body) : signature;
    if (sig) headers[SIGNATURE_HEADER] = sig;
    return app.request("/jobs", { method: "POST", body, headers });
  };
  return { runner, app, started, post };
}

describe("POST /jobs", () => {
  it("401 without, with a wrong, or with a stale signature", async () => {
    const { post } = harness();
    const body = JSON.stringify(makeJob(1));
    for (const sig of [null, await signBody("wrong-secret", body), await signBody(SECRET, body, 1_000_000)]) {
      const res = await post(body, sig);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "bad_signature" } });
    }
  });

  it("the signature covers the raw body: re-serialised JSON does not verify", async () => {
    const { post } = harness();
    const body = JSON.stringify(makeJob(1));
    const res = await post(JSON.stringify(JSON.parse(body), null, 2), await signBody(SECRET, body));
    expect(res.status).toBe(401);
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
    expect(await health.json()).toEqual({
      ok: true,
      node: "node-test",
      running: 1,
      capacity: 2,
      draining: false,
    });
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

  it("concurrent submits never overbook the slots", async () => {
    const { post } = harness(2);
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => post(JSON.stringify(makeJob(n)))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 202, 429, 429, 429]);
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
    expect((await app.request("/healthz")).status).toBe(503);
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
