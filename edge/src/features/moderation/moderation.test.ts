/**
 * Moderation (issue 15, ADR 0024) through the real Worker and D1: reports and the one-open
 * rule, who may use /api/admin/*, takedowns hidden everywhere (home, channel, feed, search,
 * related, direct URL, playback links), suspensions (sessions revoked, sign-in refused,
 * content hidden), restoring, notifications and the append-only audit log.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { grantRole, ORIGIN, PASSWORD, randomIp, signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { call, callJson, waitFor } from "../../../test/http.ts";
import { newVideoId } from "../../lib/ids.ts";
import { services } from "../../lib/services.ts";
import { clearRoleCache } from "../auth/roles.ts";

type Err = { error: { code: string; message: string } };
type Group = {
  targetType: string;
  targetId: string;
  content: { gone: boolean; title: string | null; body: string | null; takenDown: { reason: string } | null };
  owner: { handle: string; suspended: { reason: string } | null } | null;
  reports: {
    id: string;
    reason: string;
    reporter: string | null;
    status: string;
    resolution: string | null;
  }[];
};
type Queue = { groups: Group[]; nextCursor: string | null };
type Listing = { videos: { id: string }[] };

let owner: TestUser;
let viewer: TestUser;
let mod: TestUser;
let admin: TestUser;

async function verified(): Promise<TestUser> {
  const user = await signUp();
  await env.DB.prepare("update users set email_verified_at = ? where id = ?").bind(Date.now(), user.id).run();
  return user;
}

beforeAll(async () => {
  [owner, viewer, mod, admin] = await Promise.all([verified(), verified(), signUp(), signUp()]);
  await grantRole(mod, "moderator");
  await grantRole(admin, "admin");
  clearRoleCache();
});

const report = (user: TestUser, json: unknown) =>
  callJson<{ report: { id: string; status: string; targetId: string } } & Err>("/api/reports", {
    method: "POST",
    json,
    headers: user.auth,
  });
const queue = (user: TestUser, status = "open") =>
  callJson<Queue & Err>(`/api/admin/reports?status=${status}`, { headers: user.auth });
const resolve = (user: TestUser, id: string, action: string, note = "") =>
  callJson<{ resolved: number; action: string } & Err>(`/api/admin/reports/${id}/resolve`, {
    method: "POST",
    json: { action, note },
    headers: user.auth,
  });

async function publicVideo(user: TestUser, title = `Harbour ${newVideoId().slice(2, 10)}`) {
  const id = newVideoId();
  const video = await insertVideo({
    id,
    ownerId: user.id,
    title,
    visibility: "public",
    status: "ready",
    playable: true,
    publishedAt: Date.now(),
    masterKey: `videos/${id}/master.m3u8`,
  });
  await services(env).store.put(`videos/${id}/master.m3u8`, "#EXTM3U\n");
  return video;
}

async function comment(user: TestUser, videoId: string, text: string) {
  const res = await callJson<{ id: string }>(`/api/videos/${videoId}/comments`, {
    method: "POST",
    json: { text },
    headers: user.auth,
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe("POST /api/reports", () => {
  it("201 for a visible video; a second open report by the same reporter is 409 already_reported", async () => {
    const video = await publicVideo(owner);
    const first = await report(viewer, {
      targetType: "video",
      targetId: video.id,
      reason: "spam",
      details: "scam",
    });
    expect(first.status).toBe(201);
    expect(first.body.report).toMatchObject({ status: "open", targetId: video.id });
    const again = await report(viewer, { targetType: "video", targetId: video.id, reason: "hate" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("already_reported");
    // Someone else may still report it: one open report per reporter per target.
    expect((await report(admin, { targetType: "video", targetId: video.id, reason: "spam" })).status).toBe(
      201,
    );
  });

  it("refuses reasons off the list, details over 1,000 characters, and the reporter's own content", async () => {
    const video = await publicVideo(owner);
    const bad = await report(viewer, { targetType: "video", targetId: video.id, reason: "boring" });
    expect(bad.status).toBe(400);
    const long = await report(viewer, {
      targetType: "video",
      targetId: video.id,
      reason: "other",
      details: "x".repeat(1001),
    });
    expect(long.status).toBe(400);
    const own = await report(owner, { targetType: "video", targetId: video.id, reason: "spam" });
    expect(own.status).toBe(409);
    expect(own.body.error.code).toBe("own_content");
  });

  it("404 for what the reporter cannot see: another's private video, an unknown comment or channel", async () => {
    const hidden = await insertVideo({ ownerId: owner.id, visibility: "private", status: "ready" });
    expect((await report(viewer, { targetType: "video", targetId: hidden.id, reason: "spam" })).status).toBe(
      404,
    );
    const comment = await report(viewer, {
      targetType: "comment",
      targetId: "c_AAAAAAAAAAAAAAAA",
      reason: "spam",
    });
    expect(comment.status).toBe(404);
    expect(
      (await report(viewer, { targetType: "channel", targetId: "no-such-handle", reason: "spam" })).status,
    ).toBe(404);
    const anonymous = await callJson("/api/reports", {
      method: "POST",
      json: { targetType: "video", targetId: hidden.id, reason: "spam" },
    });
    expect(anonymous.status).toBe(401);
  });

  it("reports a channel by its handle; the queue groups it by the channel's user", async () => {
    const res = await report(viewer, { targetType: "channel", targetId: owner.handle, reason: "harassment" });
    expect(res.status).toBe(201);
    expect(res.body.report.targetId).toBe(owner.id);
  });
});

describe("who may use /api/admin/*", () => {
  it("a signed-in user without a role gets 404 everywhere; anonymous 401", async () => {
    const reporter = await signUp();
    const video = await publicVideo(owner);
    const { body } = await report(reporter, { targetType: "video", targetId: video.id, reason: "spam" });
    expect((await queue(viewer)).status).toBe(404);
    expect((await callJson("/api/admin/audit", { headers: viewer.auth })).status).toBe(404);
    const act = await resolve(viewer, body.report.id, "take_down", "mine now");
    expect(act.status).toBe(404);
    const restore = await call(`/api/admin/videos/${video.id}/restore`, {
      method: "POST",
      json: { note: "x" },
      headers: viewer.auth,
    });
    expect(restore.status).toBe(404);
    expect((await callJson("/api/admin/reports")).status).toBe(401);
    // Nothing happened to the video.
    const row = await env.DB.prepare("select taken_down_at from videos where id = ?").bind(video.id).first();
    expect(row?.taken_down_at).toBeNull();
  });

  it("a moderator sees the queue, oldest first, with the content; an admin too", async () => {
    const reporter = await signUp();
    const older = await publicVideo(owner, "Older reported video");
    const newer = await publicVideo(owner, "Newer reported video");
    await report(reporter, { targetType: "video", targetId: older.id, reason: "spam" });
    await report(reporter, { targetType: "video", targetId: newer.id, reason: "violence" });
    await report(admin, { targetType: "video", targetId: older.id, reason: "misinformation" });
    const res = await queue(mod);
    expect(res.status).toBe(200);
    const ids = res.body.groups.map((g) => g.targetId);
    expect(ids.indexOf(older.id)).toBeLessThan(ids.indexOf(newer.id));
    const group = res.body.groups.find((g) => g.targetId === older.id)!;
    expect(group.content).toMatchObject({ gone: false, title: "Older reported video" });
    expect(group.owner?.handle).toBe(owner.handle);
    expect(group.reports.map((r) => r.reason)).toEqual(["spam", "misinformation"]);
    expect((await queue(admin)).status).toBe(200);
  });

  it("a moderator cannot grant roles: no route does, whatever the path or method", async () => {
    for (const [method, path] of [
      ["POST", "/api/admin/roles"],
      ["PUT", `/api/admin/users/${viewer.handle}/roles`],
      ["POST", `/api/admin/users/${viewer.handle}/roles`],
      ["PATCH", `/api/admin/users/${viewer.handle}`],
    ] as const) {
      const res = await call(path, { method, json: { role: "admin", userId: viewer.id }, headers: mod.auth });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const doc = await callJson<{ paths: Record<string, unknown> }>("/api/openapi.json");
    expect(Object.keys(doc.body.paths).filter((p) => /role/i.test(p))).toEqual([]);
    const roles = await env.DB.prepare("select count(*) as n from user_roles where user_id = ?")
      .bind(viewer.id)
      .first();
    expect(roles?.n).toBe(0);
  });

  it("GET /api/me lists the caller's roles", async () => {
    const me = async (u: TestUser) =>
      (await callJson<{ user: { roles: string[] } }>("/api/me", { headers: u.auth })).body;
    expect((await me(mod)).user.roles).toEqual(["moderator"]);
    expect((await me(viewer)).user.roles).toEqual([]);
  });
});

async function listed(path: string, auth: Record<string, string>, id: string): Promise<boolean> {
  const res = await callJson<Listing & { results?: { id: string }[] }>(path, { headers: auth });
  expect(res.status, path).toBe(200);
  const items = res.body.videos ?? res.body.results ?? [];
  return items.some((v) => v.id === id);
}

describe("a takedown hides the video everywhere but the owner's studio", () => {
  it("home, channel, feed, search, related, direct URL and playback links; restored, it comes back", async () => {
    const reporter = await signUp();
    const word = `kelpie${newVideoId().slice(2, 8).toLowerCase()}`;
    const sibling = await publicVideo(owner, `Sibling ${word}`);
    const video = await publicVideo(owner, `Takedown ${word}`);
    const subscribe = await call(`/api/channels/${owner.handle}/subscription`, {
      method: "PUT",
      headers: viewer.auth,
    });
    expect(subscribe.status).toBe(200);
    const meta = await callJson<{ playback: { hls: string } }>(`/api/videos/${video.id}`, {
      headers: viewer.auth,
    });
    const oldLink = meta.body.playback.hls.replace(ORIGIN, "");
    expect((await call(oldLink)).status).toBe(200);

    const where = [
      "/api/videos?limit=50",
      `/api/channels/${owner.handle}/videos`,
      "/api/feed?limit=50",
      `/api/search?q=${word}`,
      `/api/videos/${sibling.id}/related?limit=24`,
    ];
    for (const path of where) expect(await listed(path, viewer.auth, video.id), `before: ${path}`).toBe(true);

    const { body } = await report(reporter, { targetType: "video", targetId: video.id, reason: "violence" });
    const done = await resolve(mod, body.report.id, "take_down", "Graphic violence");
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ resolved: 1, action: "take_down" });

    for (const path of where) expect(await listed(path, viewer.auth, video.id), `after: ${path}`).toBe(false);
    expect((await call(`/api/videos/${video.id}`, { headers: viewer.auth })).status).toBe(404);
    expect((await call(`/api/videos/${video.id}`)).status).toBe(404);
    expect((await call(oldLink)).status).toBe(404);
    // The owner still sees it, with the reason; the studio lists it.
    const mine = await callJson<{ takenDown?: { reason: string } }>(`/api/videos/${video.id}`, {
      headers: owner.auth,
    });
    expect(mine.status).toBe(200);
    expect(mine.body.takenDown?.reason).toBe("Graphic violence");
    expect(await listed("/api/me/videos?limit=50", owner.auth, video.id)).toBe(true);
    // … and a `moderation` notification saying why.
    const note = await waitFor(async () => {
      const page = await callJson<{
        notifications: { type: string; detail?: string; video?: { id: string } }[];
      }>("/api/notifications", { headers: owner.auth });
      return page.body.notifications.find((n) => n.type === "moderation" && n.video?.id === video.id);
    });
    expect(note.detail).toContain("Graphic violence");

    const restored = await callJson<{ restored: boolean }>(`/api/admin/videos/${video.id}/restore`, {
      method: "POST",
      json: { note: "Appeal accepted" },
      headers: mod.auth,
    });
    expect(restored.body).toEqual({ restored: true });
    expect(await listed("/api/videos?limit=50", viewer.auth, video.id)).toBe(true);
    expect((await call(`/api/videos/${video.id}`, { headers: viewer.auth })).status).toBe(200);
  });

  it("take_down does not apply to a comment (409) and needs a note (400)", async () => {
    const reporter = await signUp();
    const video = await publicVideo(owner);
    const { body } = await report(reporter, { targetType: "video", targetId: video.id, reason: "spam" });
    expect((await resolve(mod, body.report.id, "take_down", "")).status).toBe(400);
    expect((await resolve(mod, body.report.id, "remove_comment")).status).toBe(409);
  });
});

describe("removing a comment", () => {
  it("deletes it, closes every open report on it and tells its author", async () => {
    const video = await publicVideo(owner);
    const id = await comment(viewer, video.id, "buy followers at example.com");
    const first = await report(owner, { targetType: "comment", targetId: id, reason: "spam" });
    await report(admin, { targetType: "comment", targetId: id, reason: "spam" });
    const done = await resolve(mod, first.body.report.id, "remove_comment", "Spam link");
    expect(done.body).toEqual({ resolved: 2, action: "remove_comment" });
    const page = await callJson<{ comments: { id: string }[] }>(`/api/videos/${video.id}/comments`);
    expect(page.body.comments.some((c) => c.id === id)).toBe(false);
    const note = await waitFor(async () => {
      const res = await callJson<{ notifications: { type: string; detail?: string }[] }>(
        "/api/notifications",
        {
          headers: viewer.auth,
        },
      );
      return res.body.notifications.find(
        (n) => n.type === "moderation" && n.detail?.includes("buy followers"),
      );
    });
    expect(note.detail).toContain("Spam link");
    const resolved = await queue(mod, "resolved");
    const group = resolved.body.groups.find((g) => g.targetId === id)!;
    expect(group.content.gone).toBe(true);
    expect(group.reports.every((r) => r.status === "resolved" && r.resolution === "remove_comment")).toBe(
      true,
    );
  });
});

describe("suspending a user", () => {
  it("revokes their sessions, refuses sign-in with the reason, hides their content; restoring undoes it", async () => {
    const reporter = await signUp();
    const bad = await verified();
    const video = await publicVideo(bad, "Suspended owner's video");
    const onOwners = await publicVideo(owner);
    const cid = await comment(bad, onOwners.id, "a comment by someone about to be suspended");
    expect(await listed("/api/videos?limit=50", viewer.auth, video.id)).toBe(true);

    const { body } = await report(reporter, {
      targetType: "channel",
      targetId: bad.handle,
      reason: "harassment",
    });
    const done = await resolve(mod, body.report.id, "suspend_user", "Repeated harassment");
    expect(done.status).toBe(200);

    // The session's access token and its refresh cookie stop working.
    expect((await call("/api/me", { headers: bad.auth })).status).toBe(401);
    const refreshed = await call("/api/auth/refresh", {
      method: "POST",
      headers: { origin: ORIGIN, cookie: bad.cookie },
    });
    expect(refreshed.status).toBe(401);
    const login = await callJson<Err>("/api/auth/login", {
      method: "POST",
      json: { email: bad.email, password: PASSWORD },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(login.status).toBe(403);
    expect(login.body.error.code).toBe("account_suspended");
    expect(login.body.error.message).toContain("Repeated harassment");
    // A wrong password learns nothing about the suspension.
    const wrong = await callJson<Err>("/api/auth/login", {
      method: "POST",
      json: { email: bad.email, password: "not the password at all" },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(wrong.body.error.code).toBe("invalid_credentials");

    expect(await listed("/api/videos?limit=50", viewer.auth, video.id)).toBe(false);
    expect((await call(`/api/videos/${video.id}`, { headers: viewer.auth })).status).toBe(404);
    expect((await call(`/api/channels/${bad.handle}`)).status).toBe(404);
    const comments = await callJson<{ comments: { id: string }[] }>(`/api/videos/${onOwners.id}/comments`);
    expect(comments.body.comments.some((c) => c.id === cid)).toBe(false);

    const restored = await callJson<{ restored: boolean }>(`/api/admin/users/${bad.handle}/restore`, {
      method: "POST",
      json: { note: "Cleared on appeal" },
      headers: mod.auth,
    });
    expect(restored.body).toEqual({ restored: true });
    const again = await call("/api/auth/login", {
      method: "POST",
      json: { email: bad.email, password: PASSWORD },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(again.status).toBe(200);
    expect((await call(`/api/channels/${bad.handle}`)).status).toBe(200);
  });

  it("a moderator cannot suspend another moderator or an admin", async () => {
    const reporter = await signUp();
    const video = await publicVideo(admin);
    const { body } = await report(reporter, { targetType: "video", targetId: video.id, reason: "spam" });
    const res = await resolve(mod, body.report.id, "suspend_user", "nope");
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("staff_target");
  });
});

describe("the audit log", () => {
  it("records every action with actor, target, note and time; SQLite refuses UPDATE and DELETE", async () => {
    const reporter = await signUp();
    const video = await publicVideo(owner);
    const { body } = await report(reporter, { targetType: "video", targetId: video.id, reason: "other" });
    expect((await resolve(mod, body.report.id, "dismiss", "Not a violation")).body.resolved).toBe(1);
    const log = await callJson<{
      entries: { id: string; actor: string; action: string; targetId: string; note: string }[];
    }>("/api/admin/audit", { headers: mod.auth });
    const entry = log.body.entries.find((e) => e.targetId === video.id)!;
    expect(entry).toMatchObject({ actor: mod.handle, action: "dismiss", note: "Not a violation" });

    await expect(
      env.DB.prepare("update audit_log set note = 'rewritten' where id = ?").bind(entry.id).run(),
    ).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("delete from audit_log where id = ?").bind(entry.id).run()).rejects.toThrow(
      /append-only/,
    );
    const row = await env.DB.prepare("select note from audit_log where id = ?").bind(entry.id).first();
    expect(row?.note).toBe("Not a violation");
    // And no route edits or deletes one.
    for (const method of ["PATCH", "PUT", "DELETE"]) {
      const res = await call(`/api/admin/audit/${entry.id}`, {
        method,
        json: { note: "x" },
        headers: admin.auth,
      });
      expect(res.status).toBe(404);
    }
  });
});
