import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { HistoryResponse, VideoDto, ViewHeartbeatResponse } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { callJson, signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo, repo } from "../../../test/fixtures.ts";
import { TEST_SECRETS } from "../../../test/secrets.ts";
import { signPlaybackToken } from "../../lib/tokens.ts";
import type { HeartbeatInput, ViewCounter } from "./view-counter.ts";
import { signViewToken } from "./view-token.ts";
import { counterStub } from "./views.service.ts";

type ErrorBody = { error: { code: string } };
type Beat = ViewHeartbeatResponse & ErrorBody;

async function playable(durationSec = 300, owner?: TestUser) {
  return insertVideo({
    status: "ready",
    playable: true,
    visibility: "public",
    durationSec,
    ...(owner ? { ownerId: owner.id } : {}),
  });
}

/** A browser: its sl_viewer cookie (set by the first GET) and, optionally, a signed-in user. */
interface Viewer {
  cookie?: string;
  user?: TestUser;
}

async function open(videoId: string, viewer: Viewer) {
  const headers: Record<string, string> = { ...(viewer.user?.auth ?? {}) };
  if (viewer.cookie) headers.cookie = viewer.cookie;
  const res = await callJson<VideoDto>(`/api/videos/${videoId}`, { headers });
  expect(res.status).toBe(200);
  const set = res.res.headers.get("set-cookie");
  if (set) viewer.cookie = set.split(";")[0];
  return { video: res.body, token: res.body.playback?.viewToken ?? "" };
}

function beat(viewer: Viewer, body: Record<string, unknown>, init: { beacon?: boolean } = {}) {
  const headers: Record<string, string> = { ...(init.beacon ? {} : (viewer.user?.auth ?? {})) };
  if (viewer.cookie) headers.cookie = viewer.cookie;
  if (init.beacon) {
    headers["content-type"] = "text/plain;charset=UTF-8";
    return callJson<Beat>("/api/views", { method: "POST", body: JSON.stringify(body), headers });
  }
  return callJson<Beat>("/api/views", { method: "POST", json: body, headers });
}

const counter = (videoId: string) => counterStub(env, videoId);

/** A heartbeat straight into the video's counter with a chosen clock (the rules' tests). */
function rpcBeat(
  videoId: string,
  viewer: string,
  now: number,
  playedSec: number,
  extra: Partial<HeartbeatInput> = {},
) {
  return counter(videoId).heartbeat({
    videoId,
    viewer,
    userId: null,
    issuedAt: now - 3_600_000,
    positionSec: 0,
    playedSec,
    durationSec: 300,
    now,
    ...extra,
  });
}

async function flushed(videoId: string) {
  await runDurableObjectAlarm(counter(videoId));
  return (await repo().find(videoId))!;
}

describe("view tokens", () => {
  it("come with playback, bound to the video, and set an HttpOnly sl_viewer cookie", async () => {
    const video = await playable();
    const res = await callJson<VideoDto>(`/api/videos/${video.id}`);
    expect(res.body.playback?.viewToken).toMatch(/^ey/);
    expect(res.res.headers.get("set-cookie")).toMatch(/^sl_viewer=[A-Za-z0-9]{24}; .*HttpOnly/);
    // A list never hands them out.
    const list = await callJson<{ videos: VideoDto[] }>("/api/videos");
    expect(list.body.videos.every((v) => v.playback?.viewToken === undefined)).toBe(true);
  });

  it("count for their own video only", async () => {
    const a = await playable();
    const b = await playable();
    const viewer: Viewer = {};
    const { token } = await open(a.id, viewer);
    const res = await beat(viewer, { viewToken: token, positionSec: 1, playedSec: 1 });
    expect(res.status).toBe(202);
    expect((await counter(b.id).stats()).heartbeats).toBe(0);
    expect((await counter(a.id).stats()).heartbeats).toBe(1);
  });

  it("are refused from another browser, another user, expired, forged or of another kind (403)", async () => {
    const owner = await signUp();
    const video = await playable(300, owner);
    const alice: Viewer = { user: await signUp() };
    const { token } = await open(video.id, alice);
    const other: Viewer = {};
    await open(video.id, other);
    const bob: Viewer = { user: await signUp(), cookie: alice.cookie };
    const device = alice.cookie!.split("=")[1]!;
    const grant = { videoId: video.id, userId: alice.user!.id, device, durationSec: 300 };
    const expired = await signViewToken(TEST_SECRETS.JWT_SECRET, grant, 3600, Date.now() - 7 * 3600_000);
    const forged = await signViewToken("another-secret-0123456789abcdefghijkl", grant, 3600);
    const playback = (await signPlaybackToken(TEST_SECRETS.DELIVERY_SECRET, video.id, 3600)).token;
    const [head, payload, sig] = token.split(".");
    const claims = JSON.parse(atob(payload!.replace(/-/g, "+").replace(/_/g, "/")));
    const tampered = [
      head,
      btoa(JSON.stringify({ ...claims, sub: "v_0000000000000000" })).replace(/=+$/, ""),
      sig,
    ].join(".");
    const cases: [Viewer, string, string][] = [
      [other, token, "view_token_mismatch"],
      [bob, token, "view_token_mismatch"],
      [alice, expired, "view_token_expired"],
      [alice, forged, "view_token_invalid"],
      [alice, playback, "view_token_invalid"],
      [alice, tampered, "view_token_invalid"],
      [alice, "not-a-token", "view_token_invalid"],
    ];
    for (const [viewer, viewToken, code] of cases) {
      const res = await beat(viewer, { viewToken, positionSec: 1, playedSec: 1 });
      expect([res.status, res.body.error?.code], code).toEqual([403, code]);
    }
    expect((await beat(alice, { viewToken: token, positionSec: 1, playedSec: 1 })).status).toBe(202);
  });

  it("accept a sendBeacon text/plain body; bad bodies are 400", async () => {
    const video = await playable();
    const viewer: Viewer = {};
    const { token } = await open(video.id, viewer);
    expect(
      (await beat(viewer, { viewToken: token, positionSec: 2, playedSec: 0 }, { beacon: true })).status,
    ).toBe(202);
    for (const body of [{ viewToken: token, positionSec: -1, playedSec: 0 }, { viewToken: token }, {}]) {
      const res = await beat(viewer, body, { beacon: true });
      expect([res.status, res.body.error.code]).toEqual([400, "validation_failed"]);
    }
    const junk = await callJson<ErrorBody>("/api/views", {
      method: "POST",
      body: "{nope",
      headers: { "content-type": "text/plain", cookie: viewer.cookie! },
    });
    expect(junk.status).toBe(400);
  });
});

describe("embeds: a viewer id from the page's storage when no cookie comes (third-party iframes)", () => {
  const STORED = "EmbedViewer0123456789abc";

  it("names the view token after the stored id, counts it once per window, and refuses it to another id", async () => {
    const video = await playable(40);
    const res = await callJson<VideoDto>(`/api/videos/${video.id}`, {
      headers: { "x-streamline-viewer": STORED },
    });
    expect(res.status).toBe(200);
    const token = res.body.playback!.viewToken!;
    const claims = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    expect(claims).toMatchObject({ dev: STORED, vwr: `a:${STORED}` });
    // A beacon has no headers: the id rides in the body. 20 s of a 40 s video is a view…
    const frame: Viewer = {};
    const first = await beat(
      frame,
      { viewToken: token, positionSec: 0, playedSec: 0, viewerId: STORED },
      { beacon: true },
    );
    expect(first.status).toBe(202);
    // …but only as much as the wall clock allows (the token was issued just now): not counted yet.
    const claimed = await beat(frame, { viewToken: token, positionSec: 20, playedSec: 20, viewerId: STORED });
    expect([claimed.status, claimed.body.counted]).toEqual([202, false]);
    expect(claimed.body.acceptedSec).toBeLessThanOrEqual(3);
    // Another id (or none) with this token: refused, as a copied cookie token is.
    for (const viewerId of ["SomebodyElse0123456789ab", undefined]) {
      const res = await beat(frame, {
        viewToken: token,
        positionSec: 1,
        playedSec: 1,
        ...(viewerId ? { viewerId } : {}),
      });
      expect([res.status, res.body.error?.code]).toEqual([403, "view_token_mismatch"]);
    }
    // The window still holds: once counted, the same stored id never counts twice.
    const later = await rpcBeat(video.id, `a:${STORED}`, Date.now() + 60_000, 25, { durationSec: 40 });
    expect(later.counted).toBe(true);
    await rpcBeat(video.id, `a:${STORED}`, Date.now() + 120_000, 30, { durationSec: 40 });
    expect((await flushed(video.id)).viewCount).toBe(1);
  });

  it("the cookie wins over a sent id; a malformed id is refused (400) or ignored", async () => {
    const video = await playable();
    const viewer: Viewer = {};
    await open(video.id, viewer);
    const cookieId = viewer.cookie!.split("=")[1]!;
    const res = await callJson<VideoDto>(`/api/videos/${video.id}`, {
      headers: { cookie: viewer.cookie!, "x-streamline-viewer": STORED },
    });
    const claims = JSON.parse(
      atob(res.body.playback!.viewToken!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")),
    );
    expect(claims.dev).toBe(cookieId);
    const bad = await callJson<ErrorBody>(`/api/videos/${video.id}`, {
      headers: { "x-streamline-viewer": "short" },
    });
    expect([bad.status, bad.body.error.code]).toEqual([400, "validation_failed"]);
    const badBody = await beat(viewer, {
      viewToken: "x",
      positionSec: 0,
      playedSec: 0,
      viewerId: "no spaces allowed here!!",
    });
    expect(badBody.status).toBe(400);
  });
});

describe("counting", () => {
  it("needs 30 s of real playback: 29 s is not a view, 30 s is", async () => {
    const video = await playable(300);
    const t0 = Date.now();
    expect((await rpcBeat(video.id, "a:v1", t0, 20)).counted).toBe(false);
    expect((await rpcBeat(video.id, "a:v1", t0 + 10_000, 9)).counted).toBe(false);
    expect((await rpcBeat(video.id, "a:v1", t0 + 20_000, 1)).counted).toBe(true);
    expect((await rpcBeat(video.id, "a:v2", t0, 29)).counted).toBe(false);
    expect((await flushed(video.id)).viewCount).toBe(1);
  });

  it("a video shorter than 60 s counts at half its length", async () => {
    const video = await playable(40);
    const t0 = Date.now();
    expect((await rpcBeat(video.id, "a:s1", t0, 19, { durationSec: 40 })).counted).toBe(false);
    expect((await rpcBeat(video.id, "a:s2", t0, 20, { durationSec: 40 })).counted).toBe(true);
    expect((await flushed(video.id)).viewCount).toBe(1);
  });

  it("counts once per viewer per window (VIEW_WINDOW_SECONDS, 3600)", async () => {
    const video = await playable(600);
    const t0 = Date.now();
    expect((await rpcBeat(video.id, "a:w", t0, 30)).counted, "first").toBe(true);
    // Watching again inside the window adds watch time, not views.
    await rpcBeat(video.id, "a:w", t0 + 1_800_000, 60);
    await rpcBeat(video.id, "a:w", t0 + 3_599_000, 60);
    expect((await flushed(video.id)).viewCount).toBe(1);
    // Past the window a new one starts: the next 30 s count again.
    expect((await rpcBeat(video.id, "a:w", t0 + 3_610_000, 10)).counted).toBe(false);
    expect((await rpcBeat(video.id, "a:w", t0 + 3_630_000, 20)).counted, "next window").toBe(true);
    const row = await flushed(video.id);
    expect(row.viewCount).toBe(2);
    expect(row.watchSec).toBe(30 + 60 + 60 + 10 + 20);
  });

  it("clamps played time to the wall clock: 600 s claimed 10 s after the token → ≤ 12 s", async () => {
    const video = await playable(900);
    const viewer: Viewer = {};
    await open(video.id, viewer);
    const device = viewer.cookie!.split("=")[1]!;
    const grant = { videoId: video.id, userId: null, device, durationSec: 900 };
    const issuedAt = Date.now() - 10_000;
    const viewToken = await signViewToken(TEST_SECRETS.JWT_SECRET, grant, 3600, issuedAt);
    // Bounds from the test's own clock, so a slow machine cannot fail a correct clamp: the
    // server may grant the wall time it saw (≤ what we saw) + the 2 s slack, + under 1 s
    // because `iat` is in whole seconds.
    const sent = Date.now();
    const first = await beat(viewer, { viewToken, positionSec: 600, playedSec: 600 });
    const firstDone = Date.now();
    expect(first.status).toBe(202);
    expect(first.body.acceptedSec).toBeGreaterThanOrEqual(10);
    expect(first.body.acceptedSec).toBeLessThanOrEqual((firstDone - issuedAt) / 1000 + 2 + 1);
    expect(first.body.counted).toBe(false);
    // Right after, the clock since the previous heartbeat is ~0: only the slack.
    const second = await beat(viewer, { viewToken, positionSec: 900, playedSec: 300 });
    expect(second.body.acceptedSec).toBeLessThanOrEqual((Date.now() - sent) / 1000 + 2);
    expect(second.body.acceptedSec).toBeLessThan(300);
    expect((await flushed(video.id)).viewCount).toBe(0);
  });

  it("seeking adds nothing: position jumps with no played time leave the count alone", async () => {
    const video = await playable(600);
    const t0 = Date.now();
    for (let i = 1; i <= 10; i++) {
      const r = await rpcBeat(video.id, "a:seeker", t0 + i * 10_000, 0, { positionSec: i * 55 });
      expect(r.acceptedSec).toBe(0);
    }
    // A claim of the jumped distance is clamped to the 10 s that passed (+ slack).
    const r = await rpcBeat(video.id, "a:seeker", t0 + 110_000, 500, { positionSec: 590 });
    expect(r.acceptedSec).toBe(12);
    expect(r.counted).toBe(false);
    const row = await flushed(video.id);
    expect([row.viewCount, row.watchSec]).toEqual([0, 12]);
  });
});

describe("the ViewCounter buffer", () => {
  it("writes nothing to D1 per heartbeat, and ≤ 10 D1 writes per 1,000 heartbeats", async () => {
    const video = await playable(300);
    const t0 = Date.now();
    // 100 viewers × 10 heartbeats of 10 s each (every one counts at its 3rd heartbeat).
    for (let round = 1; round <= 10; round++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          rpcBeat(video.id, `a:load${i}`, t0 + round * 10_000, 10, {
            issuedAt: t0,
            positionSec: round * 10,
          }),
        ),
      );
      if (round === 5) expect((await repo().find(video.id))!.viewCount).toBe(0);
    }
    const row = await flushed(video.id);
    const stats = await counter(video.id).stats();
    expect(stats.heartbeats).toBe(1000);
    expect(row.viewCount).toBe(100);
    expect(row.watchSec).toBe(100 * 100);
    expect(stats.statements).toBeGreaterThan(0);
    expect(stats.statements).toBeLessThanOrEqual(10);
    const days = await env.DB.prepare("SELECT views, watch_sec FROM video_stats_daily WHERE video_id = ?")
      .bind(video.id)
      .all<{ views: number; watch_sec: number }>();
    expect(days.results).toEqual([{ views: 100, watch_sec: 10_000 }]);
    const retention = await env.DB.prepare(
      "SELECT SUM(samples) AS n, COUNT(*) AS buckets FROM video_retention WHERE video_id = ?",
    )
      .bind(video.id)
      .first<{ n: number; buckets: number }>();
    expect(retention).toEqual({ n: 1000, buckets: 10 });
  }, 60_000);

  it("loses nothing when the object is evicted mid-buffer", async () => {
    const video = await playable(300);
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await rpcBeat(video.id, `a:evict${i}`, t0, 45);
    const id = env.VIEW_COUNTER.idFromName(video.id);
    // Evict: the instance is thrown away with its memory; only storage survives.
    await runInDurableObject(env.VIEW_COUNTER.get(id), (_instance: ViewCounter, state) => {
      state.abort("evicted by the test");
    }).catch(() => undefined);
    const fresh = env.VIEW_COUNTER.get(id);
    expect((await repo().find(video.id))!.viewCount).toBe(0);
    await runDurableObjectAlarm(fresh);
    const row = (await repo().find(video.id))!;
    expect([row.viewCount, row.watchSec]).toEqual([5, 5 * 45]);
  });
});

async function history(user: TestUser) {
  const res = await callJson<HistoryResponse>("/api/me/history", { headers: user.auth });
  expect(res.status).toBe(200);
  return res.body;
}

/** A signed-in viewer who watched `seconds` of `videoId` up to `positionSec` (through the counter's clock). */
async function watched(user: TestUser, videoId: string, positionSec: number, durationSec = 300) {
  const now = Date.now();
  await counter(videoId).heartbeat({
    videoId,
    viewer: `u:${user.id}`,
    userId: user.id,
    issuedAt: now - 60_000,
    positionSec,
    playedSec: 10,
    durationSec,
    now,
  });
}

describe("history and resume", () => {
  it("saves positions from heartbeats: resume right away (buffered) and after the flush (D1)", async () => {
    const user = await signUp();
    const video = await playable(600);
    const viewer: Viewer = { user };
    const { token, video: before } = await open(video.id, viewer);
    expect(before.resumeAtSec).toBeUndefined();
    const res = await beat(viewer, { viewToken: token, positionSec: 252, playedSec: 0 });
    expect(res.status).toBe(202);
    expect((await open(video.id, viewer)).video.resumeAtSec).toBe(252);
    expect((await history(user)).items).toEqual([]);
    await flushed(video.id);
    const page = await history(user);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ positionSec: 252, durationSec: 600, video: { id: video.id } });
    expect((await open(video.id, viewer)).video.resumeAtSec).toBe(252);
    // Anonymous callers get no resume point.
    expect((await open(video.id, {})).video.resumeAtSec).toBeUndefined();
  });

  it("finishing (≥ 95 % or the last 10 s) resets the resume point but keeps the video in history", async () => {
    const user = await signUp();
    const video = await playable(600);
    await watched(user, video.id, 300);
    await flushed(video.id);
    await watched(user, video.id, 591);
    await flushed(video.id);
    expect((await history(user)).items[0]).toMatchObject({ positionSec: 0, video: { id: video.id } });
    expect((await open(video.id, { user })).video.resumeAtSec).toBeUndefined();
  });

  it("records nothing while history is paused", async () => {
    const user = await signUp();
    const patch = await callJson("/api/me/preferences", {
      method: "PATCH",
      json: { historyPaused: true },
      headers: user.auth,
    });
    expect(patch.status).toBe(200);
    const video = await playable();
    await watched(user, video.id, 100);
    expect((await open(video.id, { user })).video.resumeAtSec).toBeUndefined();
    await flushed(video.id);
    expect((await history(user)).items).toEqual([]);
  });

  it("remove one, clear all (positions still buffered are dropped too), pages newest first", async () => {
    const user = await signUp();
    const videos = [await playable(), await playable(), await playable()];
    for (const [i, v] of videos.entries()) {
      await watched(user, v.id, 50 + i);
      await flushed(v.id);
    }
    const page = await history(user);
    expect(page.items.map((i) => i.video.id)).toEqual(videos.map((v) => v.id).reverse());
    const removed = await callJson(`/api/me/history/${videos[1]!.id}`, {
      method: "DELETE",
      headers: user.auth,
    });
    expect(removed.status).toBe(204);
    expect((await history(user)).items.map((i) => i.video.id)).toEqual([videos[2]!.id, videos[0]!.id]);
    // Buffered (not yet flushed) before the clear: must not come back after it.
    await watched(user, videos[0]!.id, 70);
    const cleared = await callJson("/api/me/history", { method: "DELETE", headers: user.auth });
    expect(cleared.status).toBe(204);
    await flushed(videos[0]!.id);
    expect((await history(user)).items).toEqual([]);
    // Watching afterwards is recorded again.
    await new Promise((r) => setTimeout(r, 5));
    await watched(user, videos[2]!.id, 80);
    await flushed(videos[2]!.id);
    expect((await history(user)).items.map((i) => i.positionSec)).toEqual([80]);
  });

  it("is the caller's own: needs sign-in, and someone else's history is never listed", async () => {
    const anon = await callJson<ErrorBody>("/api/me/history");
    expect(anon.status).toBe(401);
    const a = await signUp();
    const b = await signUp();
    const video = await playable();
    await watched(a, video.id, 42);
    await flushed(video.id);
    expect((await history(a)).items).toHaveLength(1);
    expect((await history(b)).items).toEqual([]);
    const bad = await callJson<ErrorBody>("/api/me/history?cursor=nope", { headers: a.auth });
    expect(bad.status).toBe(400);
  });
});
