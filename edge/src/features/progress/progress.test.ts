import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { WsMessage } from "@streamline/contracts";
import { describe, expect, it, vi } from "vitest";
import { signUp } from "../../../test/auth.ts";
import { insertVideo, postEvent, repo } from "../../../test/fixtures.ts";
import { call, callJson, waitFor } from "../../../test/http.ts";
import { TEST_SECRETS } from "../../../test/secrets.ts";
import { roomStub } from "./room-notifier.ts";
import type { VideoRoom } from "./video-room.ts";
import { issueTicket } from "./ws-tickets.ts";

async function ticketFor(videoId: string) {
  const res = await callJson<{ ticket: string }>("/api/ws-ticket", { method: "POST", json: { videoId } });
  expect(res.status).toBe(201);
  return res.body.ticket;
}

/** Opens a watcher socket through the public route and collects what it receives. */
async function watch(videoId: string, ticket?: string) {
  const t = ticket ?? (await ticketFor(videoId));
  const res = await call(`/ws/videos/${videoId}?ticket=${t}`, { headers: { upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const messages: (WsMessage | string)[] = [];
  const closed: { code?: number } = {};
  ws.addEventListener("message", (e) => {
    const data = e.data as string;
    messages.push(data === "pong" ? data : (JSON.parse(data) as WsMessage));
  });
  ws.addEventListener("close", (e) => {
    closed.code = e.code;
  });
  ws.accept();
  return { ws, messages, closed };
}

const progress = (percent: number, rendition?: string): WsMessage => ({
  type: "progress",
  stage: "encode",
  percent,
  ...(rendition ? { rendition } : {}),
});

describe("VideoRoom broadcast", () => {
  it("fans every message out to several watchers, in order", async () => {
    const video = await insertVideo();
    const a = await watch(video.id);
    const b = await watch(video.id);
    const stub = roomStub(env, video.id);
    await stub.publish(video.id, [progress(10), progress(20)]);
    await stub.publish(video.id, [{ type: "status", status: "ready", playable: true }, { type: "ready" }]);
    for (const w of [a, b]) {
      await waitFor(async () => w.messages.length >= 4);
      expect(w.messages.map((m) => (typeof m === "string" ? m : m.type))).toEqual([
        "progress",
        "progress",
        "status",
        "ready",
      ]);
    }
    a.ws.close(1000);
    b.ws.close(1000);
  });

  it("a late joiner immediately receives the current state", async () => {
    const video = await insertVideo();
    const stub = roomStub(env, video.id);
    await stub.publish(video.id, [
      { type: "status", status: "processing", playable: false },
      progress(30, "720p"),
      progress(60, "360p"),
      progress(45, "720p"),
    ]);
    const late = await watch(video.id);
    await waitFor(async () => late.messages.length >= 3);
    expect(late.messages).toEqual([
      { type: "status", status: "processing", playable: false },
      progress(45, "720p"),
      progress(60, "360p"),
    ]);
    late.ws.close(1000);
  });

  it("answers pings and closes a watcher that sends anything else (1008)", async () => {
    const video = await insertVideo();
    const w = await watch(video.id);
    w.ws.send("ping");
    await waitFor(async () => w.messages.includes("pong"));
    w.ws.send(JSON.stringify({ type: "progress", percent: 100 }));
    await waitFor(async () => w.closed.code !== undefined);
    expect(w.closed.code).toBe(1008);
  });

  it("keeps state in durable storage across instances", async () => {
    const video = await insertVideo();
    const stub = roomStub(env, video.id);
    await stub.publish(video.id, [{ type: "status", status: "processing", playable: true }]);
    const snapshot = await runInDurableObject(stub, async (room: VideoRoom, state) => {
      expect(await state.storage.get("state")).toBeTruthy();
      return room.snapshot();
    });
    expect(snapshot).toEqual([{ type: "status", status: "processing", playable: true }]);
  });
});

describe("WebSocket tickets", () => {
  it("are single-use", async () => {
    const video = await insertVideo();
    const ticket = await ticketFor(video.id);
    const first = await watch(video.id, ticket);
    const again = await callJson<{ error: { code: string } }>(`/ws/videos/${video.id}?ticket=${ticket}`, {
      headers: { upgrade: "websocket" },
    });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe("ticket_used");
    first.ws.close(1000);
  });

  it("are refused when expired, for another video, or missing", async () => {
    const video = await insertVideo();
    const other = await insertVideo();
    const expired = await issueTicket(TEST_SECRETS.JWT_SECRET, video.id, null, Date.now() - 120_000);
    const foreign = await ticketFor(other.id);
    for (const q of [`?ticket=${expired.ticket}`, `?ticket=${foreign}`, ""]) {
      const res = await callJson<{ error: { code: string } }>(`/ws/videos/${video.id}${q}`, {
        headers: { upgrade: "websocket" },
      });
      expect(res.status, q).toBe(401);
      expect(res.body.error.code).toBe("invalid_ticket");
    }
  });

  it("are only issued for videos that exist", async () => {
    const res = await callJson("/api/ws-ticket", { method: "POST", json: { videoId: "v_0000000000000000" } });
    expect(res.status).toBe(404);
  });
});

/** Until the room's lease (if it still has one) is past its expiry: the alarm then acts on it. */
async function leaseRunOut(stub: ReturnType<typeof roomStub>) {
  const lease = await stub.leaseInfo();
  await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(lease?.expiresAt ?? 0), { interval: 1 });
}

describe("job lease", () => {
  it("expiry re-enqueues the job with attempt + 1, and the old attempt's events are ignored", async () => {
    const video = await insertVideo({ status: "processing", attempt: 1 });
    const stub = roomStub(env, video.id);
    await stub.startLease(video.id, video.attemptId!, 1, 1);
    // The 1 ms lease may already have fired on its own; running the alarm again is harmless.
    await leaseRunOut(stub);
    await runDurableObjectAlarm(stub);
    const after = await waitFor(async () => {
      const row = await repo().find(video.id);
      return row?.attempt === 2 && row;
    });
    expect(after).toMatchObject({ status: "queued", attempt: 2 });
    expect(after.attemptId).not.toBe(video.attemptId);
    // The dispatched attempt 2 reaches the fleet through the real queue.
    await waitFor(async () => {
      const res = await fetch(`${env.FLEET_URL}/__jobs?videoId=${video.id}`);
      const { jobs } = (await res.json()) as { jobs: { attempt: number }[] };
      return jobs.some((j) => j.attempt === 2);
    });
    const late = await postEvent({
      v: 1,
      type: "heartbeat",
      node: "old-node",
      videoId: video.id,
      jobId: video.jobId!,
      attempt: 1,
      attemptId: video.attemptId!,
      seq: 99,
      at: new Date().toISOString(),
    });
    expect(late.status).toBe(409);
    expect((await repo().find(video.id))!.attempt).toBe(2);
  });

  it("a heartbeat renews the lease so the alarm does nothing", async () => {
    const video = await insertVideo({ status: "processing" });
    const stub = roomStub(env, video.id);
    await stub.startLease(video.id, video.attemptId!, 1, 1);
    await stub.renewLease(video.id, video.attemptId!);
    await runDurableObjectAlarm(stub);
    expect((await repo().find(video.id))!).toMatchObject({ status: "processing", attempt: 1 });
    expect((await stub.leaseInfo())?.expiresAt).toBeGreaterThan(Date.now() + 30_000);
  });

  it("after the last attempt the video fails with 'transcoding timed out'", async () => {
    const video = await insertVideo({ status: "processing", attempt: 3 });
    const w = await watch(video.id);
    const stub = roomStub(env, video.id);
    await stub.startLease(video.id, video.attemptId!, 3, 1);
    await leaseRunOut(stub);
    await runDurableObjectAlarm(stub);
    await waitFor(async () => (await repo().find(video.id))?.status === "failed");
    expect((await repo().find(video.id))!).toMatchObject({
      status: "failed",
      failureReason: "transcoding timed out",
    });
    await waitFor(async () => w.messages.some((m) => typeof m !== "string" && m.type === "failed"));
    w.ws.close(1000);
  });
});

describe("ticket visibility", () => {
  it("private videos: tickets only for the owner (others get 404)", async () => {
    const owner = await signUp();
    const stranger = await signUp();
    const video = await insertVideo({ ownerId: owner.id, visibility: "private" });
    const ask = (auth: Record<string, string> = {}) =>
      callJson("/api/ws-ticket", { method: "POST", json: { videoId: video.id }, headers: auth });
    expect((await ask(owner.auth)).status).toBe(201);
    expect((await ask(stranger.auth)).status).toBe(404);
    expect((await ask()).status).toBe(404);
  });

  it("unlisted videos: anyone with the id", async () => {
    const owner = await signUp();
    const video = await insertVideo({ ownerId: owner.id, visibility: "unlisted" });
    expect((await callJson("/api/ws-ticket", { method: "POST", json: { videoId: video.id } })).status).toBe(
      201,
    );
  });
});

describe("upload events reach the room", () => {
  it("watchers hear each recorded part and the completion", async () => {
    const owner = await signUp();
    const size = 9 * 1024 * 1024;
    const created = await callJson<{ videoId: string; parts: { partNumber: number; url: string }[] }>(
      "/api/uploads",
      {
        method: "POST",
        json: { filename: "clip.mp4", size, contentType: "video/mp4" },
        headers: owner.auth,
      },
    );
    const { videoId, parts } = created.body;
    const ticket = await callJson<{ ticket: string }>("/api/ws-ticket", {
      method: "POST",
      json: { videoId },
      headers: owner.auth,
    });
    const w = await watch(videoId, ticket.body.ticket);
    for (const { partNumber, url } of parts) {
      const bytes = new Uint8Array(partNumber === 1 ? 8 * 1024 * 1024 : 1024 * 1024);
      const put = await fetch(url, { method: "PUT", body: bytes });
      const rec = await call(`/api/uploads/${videoId}/parts/${partNumber}`, {
        method: "PUT",
        json: { etag: put.headers.get("etag"), size: bytes.length },
        headers: owner.auth,
      });
      expect(rec.status).toBe(204);
    }
    expect(
      (await call(`/api/uploads/${videoId}/complete`, { method: "POST", headers: owner.auth })).status,
    ).toBe(202);
    await waitFor(async () => w.messages.some((m) => typeof m !== "string" && m.type === "status"));
    const received = w.messages.filter((m): m is WsMessage => typeof m !== "string");
    expect(received.filter((m) => m.type === "upload")).toEqual([
      { type: "upload", partsDone: 1, partCount: 2, uploadedBytes: 8 * 1024 * 1024, size },
      { type: "upload", partsDone: 2, partCount: 2, uploadedBytes: size, size },
    ]);
    expect(received.at(-1)).toEqual({ type: "status", status: "queued", playable: false });
    w.ws.close(1000);
  });
});

describe("VideoRoom writes (ADR 0032)", () => {
  type Stored = { progress: Record<string, unknown>; lease?: { attemptId: string; expiresAt: number } };
  const stored = (stub: ReturnType<typeof roomStub>) =>
    runInDurableObject(stub, async (room: VideoRoom, state) => ({
      state: (await state.storage.get<Stored>("state"))!,
      alarm: await state.storage.getAlarm(),
      live: await room.leaseInfo(),
      snapshot: await room.snapshot(),
    }));

  it("progress with a small lease renewal is broadcast without a storage write; the snapshot still has it", async () => {
    const video = await insertVideo({ status: "processing" });
    const w = await watch(video.id);
    const stub = roomStub(env, video.id);
    await stub.startLease(video.id, video.attemptId!, 1, 60_000);
    const first = await stored(stub);
    for (const percent of [10, 20, 30])
      await stub.publish(video.id, [progress(percent)], {
        action: "renew",
        attemptId: video.attemptId!,
        ttlMs: 60_000,
      });
    await waitFor(async () => w.messages.length >= 3);
    expect(w.messages).toEqual([progress(10), progress(20), progress(30)]);
    const after = await stored(stub);
    // Storage and the alarm still hold the lease as started; the live lease moved on.
    expect(after.state).toEqual(first.state);
    expect(after.alarm).toBe(first.live!.expiresAt);
    expect(after.live!.expiresAt).toBeGreaterThanOrEqual(first.live!.expiresAt);
    expect(after.snapshot).toContainEqual(progress(30));
    w.ws.close(1000);
  });

  it("writes once the renewal moved the expiry by a quarter of the lease, and on any other message", async () => {
    const video = await insertVideo({ status: "processing" });
    const stub = roomStub(env, video.id);
    await stub.startLease(video.id, video.attemptId!, 1, 1_000);
    // 60 s past a 1 s lease: far more than a quarter of it.
    await stub.publish(video.id, [progress(40)], {
      action: "renew",
      attemptId: video.attemptId!,
      ttlMs: 60_000,
    });
    const renewed = await stored(stub);
    expect(renewed.state.lease).toEqual(renewed.live);
    expect(renewed.alarm).toBe(renewed.live!.expiresAt);
    await stub.publish(video.id, [progress(50)]);
    expect((await stored(stub)).state.progress).toEqual({ all: progress(40) });
    await stub.publish(video.id, [{ type: "status", status: "processing", playable: true }]);
    expect((await stored(stub)).state.progress).toEqual({ all: progress(50) });
  });

  it("a release is written at once", async () => {
    const video = await insertVideo({ status: "processing" });
    const stub = roomStub(env, video.id);
    await stub.startLease(video.id, video.attemptId!, 1, 60_000);
    await stub.releaseLease(video.id, video.attemptId!);
    const after = await stored(stub);
    expect(after.state.lease).toBeUndefined();
    expect(after.alarm).toBeNull();
  });
});
