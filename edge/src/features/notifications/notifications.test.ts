import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { NotificationJob } from "@streamline/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo, postEvent } from "../../../test/fixtures.ts";
import { call, callJson, waitFor } from "../../../test/http.ts";
import worker from "../../index.ts";
import { randomId } from "../../lib/ids.ts";

type Note = { id: string; type: string; read: boolean; actor?: { handle: string }; video?: { id: string } };
type Page = { notifications: Note[]; unreadCount: number; nextCursor: string | null };

async function consume(jobs: NotificationJob[]) {
  const batch = createMessageBatch(
    "streamline-notifications",
    jobs.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

const subscribe = (user: TestUser, handle: string) =>
  call(`/api/channels/${handle}/subscription`, { method: "PUT", headers: user.auth });

const notes = (user: TestUser, query = "") =>
  callJson<Page>(`/api/notifications${query}`, { headers: user.auth });

const published = (owner: TestUser, patch: Record<string, unknown> = {}) =>
  insertVideo({
    ownerId: owner.id,
    visibility: "public",
    status: "ready",
    playable: true,
    publishedAt: Date.now(),
    ...patch,
  });

/** `n` accounts subscribed to `channelId`, written straight to D1 (signing up 1,000 users would take minutes). */
async function bulkSubscribers(channelId: string, n: number) {
  const ids = Array.from({ length: n }, () => `u_${randomId(16)}`);
  const statements = ids.map((id) =>
    env.DB.prepare("insert into users (id, email, handle, password_hash) values (?, ?, ?, 'x')").bind(
      id,
      `${id.toLowerCase()}@bulk.test`,
      `bulk-${id.slice(2).toLowerCase()}`,
    ),
  );
  const subs = ids.map((id) =>
    env.DB.prepare("insert into subscriptions (subscriber_id, channel_id, created_at) values (?, ?, 1)").bind(
      id,
      channelId,
    ),
  );
  await env.DB.batch([...statements, ...subs]);
  return ids;
}

async function connect(user: TestUser) {
  const t = await callJson<{ ticket: string }>("/api/ws-ticket", {
    method: "POST",
    json: { scope: "notifications" },
    headers: user.auth,
  });
  expect(t.status).toBe(201);
  const res = await call(`/ws/notifications?ticket=${t.body.ticket}`, { headers: { upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const frames: { type: string; unreadCount: number; notification?: Note }[] = [];
  ws.addEventListener("message", (e) => frames.push(JSON.parse(e.data as string)));
  ws.accept();
  return { ws, frames, ticket: t.body.ticket };
}

describe("new_video fan-out through the notifications queue", () => {
  let a: TestUser;
  beforeAll(async () => {
    a = await signUp();
  });

  it("one row per subscriber, set-based in chunks, and a redelivered message inserts nothing", async () => {
    const ids = await bulkSubscribers(a.id, 1203);
    const video = await published(a);
    const result = await consume([{ type: "video_published", videoId: video.id }]);
    expect(result.explicitAcks).toEqual(["m0"]);
    const count = () =>
      env.DB.prepare("select count(*) as n from notifications where video_id = ? and type = 'new_video'")
        .bind(video.id)
        .first<{ n: number }>()
        .then((r) => r?.n);
    expect(await count()).toBe(ids.length);
    await consume([{ type: "video_published", videoId: video.id }]);
    expect(await count()).toBe(ids.length);
    const owner = await env.DB.prepare("select count(*) as n from notifications where user_id = ?")
      .bind(a.id)
      .first<{ n: number }>();
    expect(owner?.n).toBe(0);
  });

  it("private, unlisted or unready videos fan out to nobody", async () => {
    const b = await signUp();
    await subscribe(b, a.handle);
    for (const patch of [{ visibility: "private" }, { visibility: "unlisted" }, { status: "processing" }]) {
      const video = await published(a, patch);
      await consume([{ type: "video_published", videoId: video.id }]);
      const row = await env.DB.prepare("select count(*) as n from notifications where video_id = ?")
        .bind(video.id)
        .first<{ n: number }>();
      expect(row?.n).toBe(0);
    }
  });

  it("the fleet's done event of a public video: the owner's video_ready and the subscribers' new_video arrive", async () => {
    const b = await signUp();
    await subscribe(b, a.handle);
    const row = await insertVideo({ ownerId: a.id, visibility: "public", status: "processing" });
    const done = await postEvent({
      v: 1,
      type: "done",
      videoId: row.id,
      jobId: row.jobId!,
      attempt: row.attempt,
      attemptId: row.attemptId!,
      seq: 0,
      at: new Date().toISOString(),
      probe: {
        durationSec: 10,
        width: 640,
        height: 360,
        displayWidth: 640,
        displayHeight: 360,
        rotation: 0,
        fps: 30,
        videoCodec: "h264",
        audioCodec: "aac",
        hasAudio: true,
        audioTracks: 1,
      },
      renditions: [
        {
          name: "360p",
          kind: "video",
          width: 640,
          height: 360,
          bandwidth: 900_000,
          averageBandwidth: 700_000,
          codecs: "avc1.64001e,mp4a.40.2",
          frameRate: 30,
          playlist: "360p/index.m3u8",
        },
      ],
      masterKey: `videos/${row.id}/master.m3u8`,
      posterKey: `videos/${row.id}/poster.jpg`,
    });
    expect(done.status).toBe(200);
    const mine = await waitFor(async () => {
      const page = (await notes(b)).body;
      return page.notifications.find((n) => n.video?.id === row.id);
    });
    expect(mine).toMatchObject({ type: "new_video", read: false, actor: { handle: a.handle } });
    const ready = await waitFor(async () =>
      (await notes(a)).body.notifications.find((n) => n.video?.id === row.id && n.type === "video_ready"),
    );
    expect(ready.read).toBe(false);
  });
});

describe("read state", () => {
  it("unread filter, mark one, mark all, the count follows; others' ids change nothing", async () => {
    const [a, b, c] = await Promise.all([signUp(), signUp(), signUp()]);
    await subscribe(b, a.handle);
    await subscribe(c, a.handle);
    for (let i = 0; i < 3; i++) {
      const video = await published(a);
      await consume([{ type: "video_published", videoId: video.id }]);
    }
    const page = (await notes(b)).body;
    expect(page.unreadCount).toBe(3);
    expect(page.notifications).toHaveLength(3);
    const [first] = page.notifications;
    const cOwn = (await notes(c)).body.notifications[0]!;
    const marked = await callJson<{ unreadCount: number }>("/api/notifications/read", {
      method: "POST",
      json: { ids: [first!.id, cOwn.id] },
      headers: b.auth,
    });
    expect(marked.body).toEqual({ unreadCount: 2 });
    expect((await notes(c)).body.unreadCount).toBe(3);
    const unread = (await notes(b, "?unread")).body;
    expect(unread.notifications.map((n) => n.id)).not.toContain(first!.id);
    expect(unread.notifications).toHaveLength(2);
    const all = await callJson<{ unreadCount: number }>("/api/notifications/read", {
      method: "POST",
      json: { all: true },
      headers: b.auth,
    });
    expect(all.body).toEqual({ unreadCount: 0 });
    expect((await notes(b)).body.notifications.every((n) => n.read)).toBe(true);
    const bad = await callJson("/api/notifications/read", { method: "POST", json: {}, headers: b.auth });
    expect(bad.status).toBe(400);
    expect((await callJson("/api/notifications")).status).toBe(401);
  });

  it("pages newest first with a cursor", async () => {
    const [a, b] = await Promise.all([signUp(), signUp()]);
    await subscribe(b, a.handle);
    const videos = [];
    for (let i = 0; i < 3; i++) {
      const v = await published(a, { publishedAt: Date.now() + i * 1000 });
      videos.push(v.id);
      await consume([{ type: "video_published", videoId: v.id }]);
    }
    const first = (await notes(b, "?limit=2")).body;
    expect(first.notifications.map((n) => n.video?.id)).toEqual([videos[2], videos[1]]);
    const rest = (await notes(b, `?limit=2&cursor=${first.nextCursor}`)).body;
    expect(rest.notifications.map((n) => n.video?.id)).toEqual([videos[0]]);
  });
});

describe("the live socket", () => {
  it("tickets: notifications scope needs a sign-in; each opens one socket; scopes don't cross", async () => {
    const b = await signUp();
    const anonymous = await callJson<{ error: { code: string } }>("/api/ws-ticket", {
      method: "POST",
      json: { scope: "notifications" },
    });
    expect(anonymous.status).toBe(401);
    const { ws, ticket } = await connect(b);
    const again = await callJson<{ error: { code: string } }>(`/ws/notifications?ticket=${ticket}`, {
      headers: { upgrade: "websocket" },
    });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe("ticket_used");
    const video = await insertVideo({ ownerId: b.id, visibility: "public" });
    const videoTicket = await callJson<{ ticket: string }>("/api/ws-ticket", {
      method: "POST",
      json: { videoId: video.id },
      headers: b.auth,
    });
    expect(videoTicket.status).toBe(201);
    const crossed = await callJson<{ error: { code: string } }>(
      `/ws/notifications?ticket=${videoTicket.body.ticket}`,
      { headers: { upgrade: "websocket" } },
    );
    expect(crossed.body.error.code).toBe("invalid_ticket");
    ws.close(1000);
  });

  it("a connected subscriber gets the new video pushed with the exact unread count; marking read updates it", async () => {
    const [a, b] = await Promise.all([signUp(), signUp()]);
    await subscribe(b, a.handle);
    const { ws, frames } = await connect(b);
    await waitFor(async () => frames.find((f) => f.type === "unread"));
    const online = await waitFor(async () =>
      env.DB.prepare("select 1 as one from notification_presence where user_id = ?").bind(b.id).first(),
    );
    expect(online).toBeTruthy();
    const video = await published(a);
    await consume([{ type: "video_published", videoId: video.id }]);
    // The fan-out enqueued a push for the online subscriber; deliver it here (no wait on the queue's timer).
    await consume([{ type: "push", videoId: video.id, userIds: [b.id] }]);
    const pushed = await waitFor(async () => frames.find((f) => f.type === "notification"));
    expect(pushed).toMatchObject({
      type: "notification",
      unreadCount: 1,
      notification: { type: "new_video", video: { id: video.id }, actor: { handle: a.handle } },
    });
    await callJson("/api/notifications/read", { method: "POST", json: { all: true }, headers: b.auth });
    await waitFor(async () =>
      frames.find((f) => f.type === "unread" && f.unreadCount === 0 && f !== frames[0]),
    );
    ws.close(1000);
    await waitFor(
      async () =>
        (
          await env.DB.prepare("select count(*) as n from notification_presence where user_id = ?")
            .bind(b.id)
            .first<{ n: number }>()
        )?.n === 0,
    );
  });

  it("single notifications (a reply) reach the recipient; nobody is told of their own action", async () => {
    const [a, b] = await Promise.all([signUp(), signUp()]);
    const video = await published(a);
    await consume([
      {
        type: "single",
        userId: b.id,
        kind: "comment_reply",
        actorUserId: a.id,
        videoId: video.id,
        commentId: null,
      },
    ]);
    const page = (await notes(b)).body;
    expect(page.notifications[0]).toMatchObject({ type: "comment_reply", actor: { handle: a.handle } });
  });
});

describe("comment notifications (from the comments feature)", () => {
  async function verified() {
    const user = await signUp();
    await env.DB.prepare("update users set email_verified_at = ? where id = ?")
      .bind(Date.now(), user.id)
      .run();
    return user;
  }

  it("a comment tells the video's owner; a reply tells the comment's author; nobody hears of their own", async () => {
    const [a, b] = await Promise.all([verified(), verified()]);
    const video = await published(a);
    const post = (user: TestUser, json: { text: string; parentId?: string }) =>
      callJson<{ id: string }>(`/api/videos/${video.id}/comments`, {
        method: "POST",
        json,
        headers: user.auth,
      });
    const top = await post(b, { text: "Lovely light" });
    expect(top.status).toBe(201);
    const onVideo = await waitFor(async () =>
      (await notes(a)).body.notifications.find((n) => n.type === "video_comment"),
    );
    expect(onVideo).toMatchObject({ actor: { handle: b.handle }, video: { id: video.id } });
    const reply = await post(a, { text: "Thanks!", parentId: top.body.id });
    expect(reply.status).toBe(201);
    const answered = await waitFor(async () =>
      (await notes(b)).body.notifications.find((n) => n.type === "comment_reply"),
    );
    expect(answered).toMatchObject({ actor: { handle: a.handle }, comment: { excerpt: "Thanks!" } });
    // The owner's own reply on their video did not notify the owner.
    const own = (await notes(a)).body.notifications.filter((n) => n.type !== "video_comment");
    expect(own).toEqual([]);
  });

  it("a held reply notifies its thread's author when the owner approves it, not before", async () => {
    const [a, b, c] = await Promise.all([verified(), verified(), verified()]);
    const video = await published(a);
    const post = (user: TestUser, json: { text: string; parentId?: string }) =>
      callJson<{ id: string; held?: boolean }>(`/api/videos/${video.id}/comments`, {
        method: "POST",
        json,
        headers: user.auth,
      });
    const top = await post(b, { text: "First!" });
    expect(top.status).toBe(201);
    // The queue has handled what came before: the owner heard of B's comment.
    await waitFor(async () => (await notes(a)).body.notifications.find((n) => n.type === "video_comment"));
    const held = await call(`/api/videos/${video.id}`, {
      method: "PATCH",
      json: { commentsMode: "held" },
      headers: a.auth,
    });
    expect(held.status).toBe(200);
    const reply = await post(c, { text: "Held reply", parentId: top.body.id });
    expect(reply.status).toBe(201);
    expect(reply.body.held).toBe(true);
    // A held reply enqueues nothing, so B has no reply notice while it waits for review.
    expect((await notes(b)).body.notifications.filter((n) => n.type === "comment_reply")).toEqual([]);
    const approved = await call(`/api/comments/${reply.body.id}/approve`, {
      method: "POST",
      headers: a.auth,
    });
    expect(approved.status).toBe(200);
    const answered = await waitFor(async () =>
      (await notes(b)).body.notifications.find((n) => n.type === "comment_reply"),
    );
    expect(answered).toMatchObject({ actor: { handle: c.handle }, video: { id: video.id } });
  });
});
