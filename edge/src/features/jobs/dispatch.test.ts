import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUp } from "../../../test/auth.ts";
import { insertVideo, jobFor, repo, scriptFleet } from "../../../test/fixtures.ts";
import { callJson, waitFor } from "../../../test/http.ts";
import worker from "../../index.ts";
import { services } from "../../lib/services.ts";
import { backoffSeconds, DLQ_NAME, dispatchJob } from "./dispatch.ts";

async function runBatch(queue: string, bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe("job dispatch consumer", () => {
  it("acks when the fleet accepts (202) or already runs the job (409)", async () => {
    const a = await insertVideo({ status: "queued" });
    const b = await insertVideo({ status: "queued" });
    await scriptFleet(b.id, [409]);
    const result = await runBatch("streamline-jobs", [jobFor(a), jobFor(b)]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1"]);
    expect(result.retryMessages).toEqual([]);
  });

  it("retries on 429/503 — with the fleet's Retry-After, else exponential backoff", async () => {
    const busy = await insertVideo({ status: "queued" });
    const down = await insertVideo({ status: "queued" });
    await scriptFleet(busy.id, [429, 429, 429]);
    await scriptFleet(down.id, [503, 503]);
    const result = await runBatch("streamline-jobs", [jobFor(busy), jobFor(down)], 3);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId).sort()).toEqual(["m0", "m1"]);

    const s = services(env);
    // Retry-After 7 is a floor: at the 1st delivery it wins over the 8–12 s backoff's low end…
    const first = await dispatchJob(s, jobFor(busy), 1);
    expect(first.kind === "retry" && first.delaySeconds).toBeGreaterThanOrEqual(8);
    expect(first.kind === "retry" && first.delaySeconds).toBeLessThanOrEqual(12);
    // …and by the 3rd the growing backoff does: a fleet that keeps saying "7 s" is asked less often.
    const third = await dispatchJob(s, jobFor(busy), 3);
    expect(third.kind === "retry" && third.delaySeconds).toBeGreaterThanOrEqual(32);
    const backoff = await dispatchJob(s, jobFor(down), 3);
    expect(backoff.kind).toBe("retry");
    expect(backoff.kind === "retry" && backoff.delaySeconds).toBeGreaterThanOrEqual(32);
    expect(backoff.kind === "retry" && backoff.delaySeconds).toBeLessThanOrEqual(48);
  });

  it("retries when the fleet cannot be reached at all", async () => {
    const video = await insertVideo({ status: "queued" });
    const s = services(env);
    const offline = { ...s, config: { ...s.config, TRANSCODER_URL: "http://127.0.0.1:9" } };
    const result = await dispatchJob(offline, jobFor(video), 1);
    expect(result).toMatchObject({ kind: "retry" });
    expect(result.kind === "retry" && result.why).toMatch(/unreachable/);
  });

  it("retries a job whose previous attempt still holds the fleet claim (409 job_claimed)", async () => {
    const video = await insertVideo({ status: "queued", attempt: 2 });
    await scriptFleet(video.id, ["409:job_claimed", "409:already_running"]);
    const s = services(env);
    expect(await dispatchJob(s, jobFor(video), 1)).toMatchObject({ kind: "retry", delaySeconds: 7 });
    // The same attempt already running somewhere is a success, not a retry.
    expect(await dispatchJob(s, jobFor(video), 2)).toMatchObject({ kind: "ack", accepted: false });
  });

  it("the consumer throws after the fleet took a job: not acked (the queue redelivers it), and the redelivery is acked as already running", async () => {
    const video = await insertVideo({ status: "queued" });
    await scriptFleet(video.id, [202, "409:already_running"]);
    // The VideoRoom is unreachable (a Durable Object reset): starting the lease throws.
    const broken = {
      ...env,
      VIDEO_ROOM: {
        idFromName: (name: string) => env.VIDEO_ROOM.idFromName(name),
        get: () => ({
          startLease: async () => {
            throw new Error("Durable Object reset because its code was updated");
          },
        }),
      },
    } as unknown as Env;
    const batch = createMessageBatch("streamline-jobs", [
      { id: "m0", timestamp: new Date(), attempts: 1, body: jobFor(video) },
    ]);
    const ctx = createExecutionContext();
    await expect(worker.queue(batch, broken)).rejects.toThrow(/Durable Object reset/);
    const result = await getQueueResult(batch, ctx);
    // Neither acked nor retried by us: the platform retries every message that was not acked
    // when the handler throws.
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toEqual([]);
    const again = await runBatch("streamline-jobs", [jobFor(video)], 2);
    expect(again.explicitAcks).toEqual(["m0"]);
    expect(again.retryMessages).toEqual([]);
  });

  it("drops (acks) a payload that is not a job instead of retrying it forever", async () => {
    const result = await runBatch("streamline-jobs", [{ v: 9, type: "nonsense" }]);
    expect(result.explicitAcks).toEqual(["m0"]);
  });

  it("backoff doubles and caps at five minutes", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 10].map((n) => backoffSeconds(n, mid))).toEqual([10, 20, 40, 80, 300]);
  });

  it("the queue's 8 retries ride out a fleet down for a minute (and far longer) before the DLQ", () => {
    const low = () => 0; // the shortest jitter: the worst case for the DLQ
    const waited = (policy?: { baseSeconds: number; maxSeconds: number }) =>
      [1, 2, 3, 4, 5, 6, 7, 8].reduce((sum, n) => sum + backoffSeconds(n, low, policy), 0);
    expect(waited()).toBeGreaterThan(15 * 60);
    // DISPATCH_BACKOFF_SECONDS / _MAX_SECONDS (the e2e fault tests shorten both): 1, 2, 3, 3 … s.
    expect(
      [1, 2, 3, 4, 8].map((n) => backoffSeconds(n, () => 0.5, { baseSeconds: 1, maxSeconds: 3 })),
    ).toEqual([1, 2, 3, 3, 3]);
  });
});

describe("dead-letter consumer", () => {
  it("marks the video failed with a readable reason", async () => {
    const video = await insertVideo({ status: "queued" });
    const result = await runBatch(DLQ_NAME, [jobFor(video)]);
    expect(result.explicitAcks).toEqual(["m0"]);
    const row = await repo().find(video.id);
    expect(row?.status).toBe("failed");
    expect(row?.failureReason).toMatch(/transcoder fleet was unavailable/);
  });

  it("tells the owner their video failed (a video_failed notification)", async () => {
    const owner = await signUp();
    const video = await insertVideo({ status: "queued", ownerId: owner.id });
    await runBatch(DLQ_NAME, [jobFor(video)]);
    expect((await repo().find(video.id))?.status).toBe("failed");
    const note = await waitFor(async () => {
      const page = await callJson<{ notifications: { type: string; video?: { id: string } }[] }>(
        "/api/notifications",
        { headers: owner.auth },
      );
      return page.body.notifications.find((n) => n.type === "video_failed");
    });
    expect(note.video?.id).toBe(video.id);
  });

  it("leaves a video alone when a newer attempt is already running", async () => {
    const video = await insertVideo({ status: "processing" });
    await runBatch(DLQ_NAME, [{ ...jobFor(video), attemptId: "a_oldattemptoldattempt" }]);
    expect((await repo().find(video.id))?.status).toBe("processing");
  });
});
