/**
 * Correlation ids edge → fleet → edge (ADR 0028): the request that queues a job gives the
 * queue message its id, the dispatch carries it as `x-request-id`, and the event the fleet
 * posts back with it is logged with the video, job and attempt.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { signUp } from "../../../test/auth.ts";
import { insertVideo, postEvent } from "../../../test/fixtures.ts";
import { call, waitFor } from "../../../test/http.ts";
import { pinLogLevel } from "../../lib/log.ts";

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1]);

type Line = Record<string, unknown>;

/** Every JSON line the edge logged through the console since the spies were set. */
function lines(spies: MockInstance[]): Line[] {
  return spies.flatMap((spy) =>
    spy.mock.calls.flatMap((args) => {
      try {
        return [JSON.parse(String(args[0])) as Line];
      } catch {
        return [];
      }
    }),
  );
}

async function dispatchedRequestIds(videoId: string): Promise<(string | null)[]> {
  const res = await fetch(`${env.FLEET_URL}/__request-ids?videoId=${videoId}`);
  return ((await res.json()) as { requestIds: (string | null)[] }).requestIds;
}

describe("request ids from edge to fleet and back", () => {
  let spies: MockInstance[];
  beforeEach(() => {
    pinLogLevel("debug");
    spies = (["log", "warn", "error"] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
  });
  afterEach(() => {
    pinLogLevel(null);
    for (const spy of spies) spy.mockRestore();
  });

  it("echoes a sane incoming x-request-id, replaces a hostile one", async () => {
    const kept = await call("/api/health", { headers: { "x-request-id": "edge-test.42:abc" } });
    expect(kept.headers.get("x-request-id")).toBe("edge-test.42:abc");
    const replaced = await call("/api/health", { headers: { "x-request-id": 'x"} {"level":"error' } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const minted = await call("/api/nope");
    expect(minted.status).toBe(404);
    expect(minted.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("the dispatch carries the queuing request's id, and the fleet's event with it is logged with the ids", async () => {
    const owner = await signUp();
    const video = await insertVideo({ ownerId: owner.id, status: "ready", playable: true });
    const requestId = `upload-${crypto.randomUUID()}`;
    const put = await call(`/api/videos/${video.id}/poster`, {
      method: "PUT",
      body: JPEG,
      headers: { ...owner.auth, "content-type": "image/jpeg", "x-request-id": requestId },
    });
    expect(put.status).toBe(202);
    expect(put.headers.get("x-request-id")).toBe(requestId);
    // Through the real queue to the recording fleet: the header of the dispatch.
    expect(await waitFor(async () => (await dispatchedRequestIds(video.id)).length > 0 && true)).toBe(true);
    expect(await dispatchedRequestIds(video.id)).toEqual([requestId]);
    const queued = lines(spies).find((l) => l.msg === "job queued" && l.videoId === video.id);
    expect(queued).toMatchObject({ level: "info", requestId, jobType: "poster", attempt: 1 });
    const dispatched = await waitFor(async () =>
      lines(spies).find((l) => l.msg === "job dispatched" && l.videoId === video.id),
    );
    expect(dispatched).toMatchObject({ requestId, accepted: true, queue: "streamline-jobs" });

    const attemptId = (await waitFor(async () => {
      const res = await fetch(`${env.FLEET_URL}/__jobs?videoId=${video.id}`);
      const { jobs } = (await res.json()) as { jobs: { attemptId: string; jobId: string }[] };
      return jobs[0];
    }))!;
    const res = await postEvent({
      v: 1,
      type: "failed",
      videoId: video.id,
      jobId: attemptId.jobId,
      attempt: 1,
      attemptId: attemptId.attemptId,
      seq: 1,
      at: new Date().toISOString(),
      reason: "the image could not be decoded",
      retryable: false,
      requestId,
    });
    expect(res.status).toBe(200);
    const event = lines(spies).find((l) => l.msg === "transcoder event" && l.videoId === video.id);
    expect(event).toMatchObject({
      level: "warn",
      event: "failed",
      requestId,
      jobId: attemptId.jobId,
      attempt: 1,
      attemptId: attemptId.attemptId,
      outcome: "duplicate",
    });
  });
});
