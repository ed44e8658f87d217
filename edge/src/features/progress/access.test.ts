/**
 * Issue 11, hole 12: a socket opened while a video was public must not keep receiving its
 * status after the video turns private. Non-owners are closed with CLOSE_ACCESS_REVOKED;
 * the owner's socket stays.
 */
import { env } from "cloudflare:workers";
import { CLOSE_ACCESS_REVOKED, type WsMessage } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { signUp } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { call, callJson, waitFor } from "../../../test/http.ts";
import { suspendThroughModeration } from "../../../test/moderation.ts";
import { roomStub } from "./room-notifier.ts";

async function ticketFor(videoId: string, auth: Record<string, string> = {}) {
  const res = await callJson<{ ticket: string }>("/api/ws-ticket", {
    method: "POST",
    json: { videoId },
    headers: auth,
  });
  expect(res.status).toBe(201);
  return res.body.ticket;
}

/** A watcher socket through the public route, recording what it receives and how it closes. */
async function watch(videoId: string, ticket: string) {
  const res = await call(`/ws/videos/${videoId}?ticket=${ticket}`, { headers: { upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const messages: WsMessage[] = [];
  const closed: { code?: number } = {};
  ws.addEventListener("message", (e) => {
    if (e.data !== "pong") messages.push(JSON.parse(e.data as string) as WsMessage);
  });
  ws.addEventListener("close", (e) => {
    closed.code = e.code;
  });
  ws.accept();
  return { ws, messages, closed };
}

const progress = (percent: number): WsMessage => ({ type: "progress", stage: "encode", percent });
const setVisibility = (videoId: string, visibility: string, auth: Record<string, string>) =>
  call(`/api/videos/${videoId}`, { method: "PATCH", json: { visibility }, headers: auth });

describe("watchers after a video turns private (hole 12)", () => {
  it("closes every non-owner socket (4403) and keeps the owner's; the closed ones hear nothing more", async () => {
    const owner = await signUp();
    const stranger = await signUp();
    const video = await insertVideo({ ownerId: owner.id, visibility: "public" });
    const mine = await watch(video.id, await ticketFor(video.id, owner.auth));
    const theirs = await watch(video.id, await ticketFor(video.id, stranger.auth));
    const anonymous = await watch(video.id, await ticketFor(video.id));
    const room = roomStub(env, video.id);
    await room.publish(video.id, [progress(10)]);
    for (const w of [mine, theirs, anonymous]) await waitFor(async () => w.messages.length >= 1);

    expect((await setVisibility(video.id, "private", owner.auth)).status).toBe(200);
    for (const w of [theirs, anonymous]) {
      await waitFor(async () => w.closed.code !== undefined);
      expect(w.closed.code).toBe(CLOSE_ACCESS_REVOKED);
    }
    expect(mine.closed.code).toBeUndefined();

    await room.publish(video.id, [
      progress(90),
      { type: "status", status: "failed", playable: false, failureReason: "secret detail" },
    ]);
    // Proof the later messages went out: the owner hears them.
    await waitFor(async () => mine.messages.length >= 3);
    expect(mine.messages.at(-1)).toMatchObject({ type: "status", status: "failed" });
    for (const w of [theirs, anonymous]) expect(w.messages).toEqual([progress(10)]);
    mine.ws.close(1000);
  });

  it("a ticket issued while public opens nothing once the video is private; after it is public again a new one does", async () => {
    const owner = await signUp();
    const stranger = await signUp();
    const video = await insertVideo({ ownerId: owner.id, visibility: "unlisted" });
    await roomStub(env, video.id).publish(video.id, [progress(40)]);
    const early = await ticketFor(video.id, stranger.auth);
    const ownersEarly = await ticketFor(video.id, owner.auth);
    await setVisibility(video.id, "private", owner.auth);

    const late = await watch(video.id, early);
    await waitFor(async () => late.closed.code !== undefined);
    expect(late.closed.code).toBe(CLOSE_ACCESS_REVOKED);
    expect(late.messages).toEqual([]);
    expect((await callJson("/api/ws-ticket", { method: "POST", json: { videoId: video.id } })).status).toBe(
      404,
    );

    // The owner still watches, with a ticket from before the change or after.
    for (const ticket of [ownersEarly, await ticketFor(video.id, owner.auth)]) {
      const owners = await watch(video.id, ticket);
      await waitFor(async () => owners.messages.length >= 1);
      expect(owners.closed.code).toBeUndefined();
      owners.ws.close(1000);
    }

    await setVisibility(video.id, "public", owner.auth);
    const again = await watch(video.id, await ticketFor(video.id, stranger.auth));
    await waitFor(async () => again.messages.length >= 1);
    expect(again.messages).toEqual([progress(40)]);
    expect(again.closed.code).toBeUndefined();
    again.ws.close(1000);
  });
});

describe("a suspended user's live sockets (ADR 0024)", () => {
  async function notificationsSocket(auth: Record<string, string>) {
    const t = await callJson<{ ticket: string }>("/api/ws-ticket", {
      method: "POST",
      json: { scope: "notifications" },
      headers: auth,
    });
    expect(t.status).toBe(201);
    const res = await call(`/ws/notifications?ticket=${t.body.ticket}`, {
      headers: { upgrade: "websocket" },
    });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    const closed: { code?: number } = {};
    ws.addEventListener("close", (e) => {
      closed.code = e.code;
    });
    ws.accept();
    return { ws, closed };
  }

  it("close on suspension — notifications, their progress rooms, others' watching their videos — and no ticket reopens one", async () => {
    const user = await signUp();
    const stranger = await signUp();
    const video = await insertVideo({ ownerId: user.id, visibility: "public", status: "processing" });
    const bell = await notificationsSocket(user.auth);
    const mine = await watch(video.id, await ticketFor(video.id, user.auth));
    const theirs = await watch(video.id, await ticketFor(video.id, stranger.auth));
    // Another user's video the suspended user is not part of: its sockets are none of this.
    const elsewhere = await insertVideo({ ownerId: stranger.id, visibility: "public" });
    const unrelated = await watch(elsewhere.id, await ticketFor(elsewhere.id, stranger.auth));
    // Tickets taken before the suspension, used after it.
    const spareRoom = await ticketFor(video.id, user.auth);
    const spareBell = await callJson<{ ticket: string }>("/api/ws-ticket", {
      method: "POST",
      json: { scope: "notifications" },
      headers: user.auth,
    });
    const strangerSpare = await ticketFor(video.id, stranger.auth);

    await suspendThroughModeration(user, "Ban evasion");
    for (const s of [bell, mine, theirs]) {
      await waitFor(async () => s.closed.code !== undefined);
      expect(s.closed.code).toBe(CLOSE_ACCESS_REVOKED);
    }
    expect(unrelated.closed.code).toBeUndefined();
    const presence = await env.DB.prepare("select count(*) as n from notification_presence where user_id = ?")
      .bind(user.id)
      .first<{ n: number }>();
    expect(presence?.n).toBe(0);

    const open = (path: string) => call(path, { headers: { upgrade: "websocket" } });
    expect((await open(`/ws/notifications?ticket=${spareBell.body.ticket}`)).status).toBe(401);
    expect((await open(`/ws/videos/${video.id}?ticket=${spareRoom}`)).status).toBe(401);
    // Their video is hidden: nobody else opens its room either.
    expect((await open(`/ws/videos/${video.id}?ticket=${strangerSpare}`)).status).toBe(404);
    unrelated.ws.close(1000);
  });
});
