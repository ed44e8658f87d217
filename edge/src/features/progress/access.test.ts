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
