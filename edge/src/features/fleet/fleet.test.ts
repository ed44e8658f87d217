import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { DeadJobDto, FleetOverview } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { grantRole, signUp } from "../../../test/auth.ts";
import { insertVideo, jobFor, repo } from "../../../test/fixtures.ts";
import { call, callJson, waitFor } from "../../../test/http.ts";
import worker from "../../index.ts";
import { services } from "../../lib/services.ts";
import { DLQ_NAME } from "../jobs/dispatch.ts";
import { fleetOverview } from "./fleet.service.ts";

async function deadLetter(bodies: unknown[], attempts = 9) {
  const batch = createMessageBatch(
    DLQ_NAME,
    bodies.map((body, i) => ({ id: `d${i}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

async function fleetJobs(videoId: string): Promise<{ attemptId: string }[]> {
  const res = await fetch(`${env.FLEET_URL}/__jobs?videoId=${videoId}`);
  return ((await res.json()) as { jobs: { attemptId: string }[] }).jobs;
}

describe("admin fleet view", () => {
  it("shows the fleet's registry to admins", async () => {
    const admin = await signUp();
    await grantRole(admin);
    const res = await callJson<{ fleet: { nodes: { nodeId: string }[] } }>("/api/admin/fleet", {
      headers: admin.auth,
    });
    expect(res.status).toBe(200);
    expect(res.body.fleet.nodes[0]!.nodeId).toBe("recorder");
  });

  it("is a 404 for everyone else and 401 anonymously", async () => {
    const user = await signUp();
    expect((await call("/api/admin/fleet", { headers: user.auth })).status).toBe(404);
    expect((await call("/api/admin/fleet")).status).toBe(401);
  });
});

describe("deleting a video mid-transcode", () => {
  it("cancels the job on the fleet and closes watcher sockets with 4404", async () => {
    const owner = await signUp();
    const video = await insertVideo({ ownerId: owner.id, status: "processing" });
    const ticket = await callJson<{ ticket: string }>("/api/ws-ticket", {
      method: "POST",
      json: { videoId: video.id },
      headers: owner.auth,
    });
    const upgrade = await call(`/ws/videos/${video.id}?ticket=${ticket.body.ticket}`, {
      headers: { upgrade: "websocket" },
    });
    const ws = upgrade.webSocket!;
    const closed: { code?: number } = {};
    ws.addEventListener("close", (e) => {
      closed.code = e.code;
    });
    ws.accept();

    expect((await call(`/api/videos/${video.id}`, { method: "DELETE", headers: owner.auth })).status).toBe(
      204,
    );
    const cancels = await waitFor(async () => {
      const res = await fetch(`${env.FLEET_URL}/__cancels?videoId=${video.id}`);
      const body = (await res.json()) as { cancels: { jobId: string; reason: string }[] };
      return body.cancels.length > 0 && body.cancels;
    });
    expect(cancels[0]).toMatchObject({ jobId: video.jobId, videoId: video.id, reason: "video deleted" });
    await waitFor(async () => closed.code !== undefined);
    expect(closed.code).toBe(4404);
  });
});

describe("admin fleet page API", () => {
  it("the DLQ consumer records each dead job; the overview lists it beside the failure and the registry", async () => {
    const admin = await signUp();
    await grantRole(admin);
    const video = await insertVideo({ status: "queued", queuedAt: Date.now() });
    const job = { ...jobFor(video), requestId: "upload-req-1" };
    const result = await deadLetter([job, job]);
    expect(result.explicitAcks.sort()).toEqual(["d0", "d1"]);
    expect((await repo().find(video.id))?.status).toBe("failed");

    const res = await callJson<FleetOverview>("/api/admin/fleet/overview", { headers: admin.auth });
    expect(res.status).toBe(200);
    expect(res.body.fleet?.nodes[0]?.nodeId).toBe("recorder");
    expect(res.body.capacity).toEqual({ nodes: 1, slots: 1, running: 0 });
    // Recorded once although the DLQ delivered it twice.
    const mine = res.body.deadJobs.filter((d) => d.subject === video.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      queue: "streamline-jobs",
      jobType: "transcode",
      jobId: video.jobId,
      attempt: 1,
      requestId: "upload-req-1",
      deliveries: 9,
      retriedAt: null,
    });
    expect(mine[0]!.reason).toMatch(/not dispatched after 9 deliveries/);
    const failure = res.body.recentFailures.find((f) => f.videoId === video.id);
    expect(failure?.failureReason).toMatch(/fleet was unavailable/);
  });

  it("retry puts the video back in the queue and sends the same attempt to the fleet, once", async () => {
    const admin = await signUp();
    await grantRole(admin);
    const video = await insertVideo({ status: "queued", queuedAt: Date.now() });
    await deadLetter([jobFor(video)]);
    const overview = await callJson<FleetOverview>("/api/admin/fleet/overview", { headers: admin.auth });
    const dead = overview.body.deadJobs.find((d) => d.subject === video.id)!;

    const retried = await callJson<{ deadJob: DeadJobDto }>(`/api/admin/fleet/dead-jobs/${dead.id}/retry`, {
      method: "POST",
      headers: admin.auth,
    });
    expect(retried.status).toBe(200);
    expect(retried.body.deadJob.retriedAt).not.toBeNull();
    const row = (await repo().find(video.id))!;
    expect(row).toMatchObject({ status: "queued", failureReason: null, attemptId: video.attemptId });
    // Through the real jobs queue to the recording fleet.
    const jobs = await waitFor(async () => {
      const list = await fleetJobs(video.id);
      return list.length > 0 && list;
    });
    expect(jobs.map((j) => j.attemptId)).toEqual([video.attemptId]);

    const again = await call(`/api/admin/fleet/dead-jobs/${dead.id}/retry`, {
      method: "POST",
      headers: admin.auth,
    });
    expect(again.status).toBe(409);
    const after = await callJson<FleetOverview>("/api/admin/fleet/overview", { headers: admin.auth });
    expect(after.body.deadJobs.map((d) => d.id)).not.toContain(dead.id);
    expect(after.body.inFlight.find((j) => j.videoId === video.id)).toMatchObject({ status: "queued" });
  });

  it("a retry of a job a newer attempt replaced is a 409; unknown ids 404", async () => {
    const admin = await signUp();
    await grantRole(admin);
    const video = await insertVideo({ status: "queued" });
    await deadLetter([{ ...jobFor(video), attemptId: "a_replacedreplacedrepl" }]);
    const overview = await callJson<FleetOverview>("/api/admin/fleet/overview", { headers: admin.auth });
    const dead = overview.body.deadJobs.find((d) => d.subject === video.id)!;
    const res = await callJson(`/api/admin/fleet/dead-jobs/${dead.id}/retry`, {
      method: "POST",
      headers: admin.auth,
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: "dead_job_stale" } });
    expect(
      (
        await call("/api/admin/fleet/dead-jobs/dj_0000000000000000/retry", {
          method: "POST",
          headers: admin.auth,
        })
      ).status,
    ).toBe(404);
  });

  it("is a 404 for everyone but admins (before the rate limit), 401 anonymously", async () => {
    const user = await signUp();
    expect((await call("/api/admin/fleet/overview", { headers: user.auth })).status).toBe(404);
    expect(
      (
        await call("/api/admin/fleet/dead-jobs/dj_0000000000000000/retry", {
          method: "POST",
          headers: user.auth,
        })
      ).status,
    ).toBe(404);
    expect((await call("/api/admin/fleet/overview")).status).toBe(401);
  });

  it("answers from D1 when the fleet does not", async () => {
    const s = services(env);
    const offline = { ...s, config: { ...s.config, TRANSCODER_URL: "http://127.0.0.1:9" } };
    const overview = await fleetOverview(offline);
    expect(overview.fleet).toBeNull();
    expect(overview.fleetError).toMatch(/did not answer/);
    expect(overview.capacity).toEqual({ nodes: 0, slots: 0, running: 0 });
    expect(overview.queue.depth).toBeGreaterThanOrEqual(0);
  });
});
