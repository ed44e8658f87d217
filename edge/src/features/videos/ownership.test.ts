/**
 * IDOR: every owner-only route, called with another signed-in user's token, answers 404
 * (exactly like an unknown id) and changes nothing; anonymous callers get 401. A guard
 * test walks the app's route table so a new /api route can't ship unauthenticated by
 * accident.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, callJson, signUp, type TestUser } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { app } from "../../app.ts";

const MiB = 1024 * 1024;
type ErrorBody = { error: { code: string } };

let alice: TestUser;
let mallory: TestUser;
let uploadId: string;

beforeAll(async () => {
  alice = await signUp();
  mallory = await signUp();
  const created = await callJson<{ videoId: string }>("/api/uploads", {
    method: "POST",
    json: { filename: "mine.mp4", size: 9 * MiB, contentType: "video/mp4", title: "Alice's" },
    headers: alice.auth,
  });
  expect(created.status).toBe(201);
  uploadId = created.body.videoId;
});

const uploadRoutes = (id: string) =>
  [
    ["POST", `/api/uploads/${id}/urls`, { partNumbers: [1] }],
    ["PUT", `/api/uploads/${id}/parts/1`, { etag: '"forged"', size: 8 * MiB }],
    ["GET", `/api/uploads/${id}`, undefined],
    ["POST", `/api/uploads/${id}/complete`, undefined],
    ["DELETE", `/api/uploads/${id}`, undefined],
  ] as const;

const videoRoutes = (id: string) =>
  [
    ["PATCH", `/api/videos/${id}`, { title: "pwned", visibility: "public" }],
    ["DELETE", `/api/videos/${id}`, undefined],
  ] as const;

async function send(method: string, path: string, json: unknown, headers: Record<string, string>) {
  return callJson<ErrorBody>(path, { method, ...(json !== undefined ? { json } : {}), headers });
}

describe("IDOR: another user's id is 404 on every owner route", () => {
  it.each(uploadRoutes("ID").map(([m, p]) => `${m} ${p}`))("uploads: %s", async (name) => {
    const [method, path, json] = uploadRoutes(uploadId).find(
      ([m, p]) => `${m} ${p.replace(uploadId, "ID")}` === name,
    )!;
    const stranger = await send(method, path, json, mallory.auth);
    const unknown = await send(method, path.replace(uploadId, "v_0000000000000000"), json, mallory.auth);
    expect(stranger.status).toBe(404);
    expect(stranger.body).toEqual(unknown.body);
    expect((await send(method, path, json, {})).status).toBe(401);
  });

  it("…and none of those attempts changed Alice's upload", async () => {
    const state = await callJson<{ status: string; parts: unknown[] }>(`/api/uploads/${uploadId}`, {
      headers: alice.auth,
    });
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ status: "uploading", parts: [] });
    const urls = await callJson<{ parts: unknown[] }>(`/api/uploads/${uploadId}/urls`, {
      method: "POST",
      json: { partNumbers: [1, 2] },
      headers: alice.auth,
    });
    expect(urls.status).toBe(200);
    expect(urls.body.parts).toHaveLength(2);
  });

  it.each(["public", "unlisted", "private"] as const)(
    "videos (%s): PATCH and DELETE by a stranger are 404 and change nothing",
    async (visibility) => {
      const video = await insertVideo({ ownerId: alice.id, visibility, status: "ready", title: "Original" });
      for (const [method, path, json] of videoRoutes(video.id)) {
        const stranger = await send(method, path, json, mallory.auth);
        expect(stranger.status, `${method} ${visibility}`).toBe(404);
        expect(stranger.body.error.code).toBe("not_found");
        expect((await send(method, path, json, {})).status).toBe(401);
      }
      const row = await env.DB.prepare("select title, visibility from videos where id = ?")
        .bind(video.id)
        .first();
      expect(row).toEqual({ title: "Original", visibility });
    },
  );

  it("the owner can edit and delete", async () => {
    const video = await insertVideo({ ownerId: alice.id, visibility: "private", status: "ready" });
    const patched = await callJson<{ title: string }>(`/api/videos/${video.id}`, {
      method: "PATCH",
      json: { title: "Renamed" },
      headers: alice.auth,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.title).toBe("Renamed");
    expect((await call(`/api/videos/${video.id}`, { method: "DELETE", headers: alice.auth })).status).toBe(
      204,
    );
    expect((await call(`/api/videos/${video.id}`, { headers: alice.auth })).status).toBe(404);
  });

  it("a video without an owner (created before accounts) can be changed by nobody", async () => {
    const legacy = await insertVideo({ ownerId: null, status: "ready" });
    for (const user of [alice, mallory]) {
      for (const [method, path, json] of videoRoutes(legacy.id)) {
        expect((await send(method, path, json, user.auth)).status).toBe(404);
      }
    }
  });
});

/** Routes that answer anonymous callers on purpose; everything else under /api must say 401. */
const PUBLIC_ROUTES = new Set([
  "GET /api/health",
  "POST /api/auth/signup",
  "POST /api/auth/login",
  "POST /api/auth/refresh", // cookie + Origin instead of a Bearer token
  "POST /api/auth/logout", // cookie + Origin; idempotent
  "GET /api/videos",
  "GET /api/videos/:id", // optional auth: visibility rules
  "GET /api/videos/:id/playlist.m3u8", // optional auth: visibility rules
  "GET /api/videos/:id/related", // optional auth: the source's visibility rules; lists listable videos only (ADR 0022)
  "GET /api/trending", // the cron's ranking of listable videos (ADR 0022)
  "POST /api/ws-ticket", // progress feature: decides per video
  "GET /api/videos/:id/captions", // optional auth: visibility rules
  "GET /api/videos/:id/thumbnail", // public: anonymous visibility re-checked, 302 to the poster (ADR 0029)
  "GET /api/videos/:id/download", // optional auth: visibility rules, then downloads on or the owner (ADR 0027)
  "GET /api/openapi.json", // the API description is public
  "GET /api/channels/:handle", // channel pages are public (ADR 0011)
  "GET /api/channels/:handle/videos", // a channel's public videos
  "GET /api/search", // listable videos and channels of users not suspended only (ADR 0021)
  "POST /api/views", // the signed view token (bound to the sl_viewer cookie) names the viewer (ADR 0016)
  // Mailed links: the single-use token is the credential (ADR 0014).
  "POST /api/auth/email/verify",
  "POST /api/auth/password/forgot", // 202 for every address, no enumeration
  "POST /api/auth/password/reset",
  // OpenID Connect sign-in happens before there is a session; the sealed state and
  // pending cookies carry the attempt (ADR 0012).
  "GET /api/auth/providers",
  "GET /api/auth/oidc/:provider/start",
  "GET /api/auth/oidc/:provider/callback",
  "GET /api/auth/oidc/pending",
  "DELETE /api/auth/oidc/pending",
  "POST /api/auth/oidc/complete",
  "POST /api/auth/oidc/link", // the existing account's password is the proof
  "GET /api/videos/:id/comments", // optional auth: the video's visibility rules (ADR 0015)
  "GET /api/comments/:id/replies", // optional auth: the thread's video decides
  "GET /api/dev/mail", // development only: 404 unless DEV_MAIL_URL is set and the caller is on loopback
  "GET /oembed", // oEmbed: public data of embeddable videos only (not under /api/, listed for the record)
]);

describe("route guard", () => {
  const routes = [
    ...new Set(
      app.routes
        .filter((r) => r.method !== "ALL" && r.path.startsWith("/api/") && !r.path.endsWith("*"))
        .map((r) => `${r.method} ${r.path}`),
    ),
  ];

  it("finds the API's routes", () => {
    expect(routes).toEqual(
      expect.arrayContaining([
        "POST /api/uploads",
        "PATCH /api/videos/:id",
        "GET /api/me",
        "GET /api/sessions",
      ]),
    );
  });

  it.each(routes.filter((r) => !PUBLIC_ROUTES.has(r)))(
    "%s refuses anonymous callers with 401",
    async (route) => {
      const [method, pattern] = route.split(" ") as [string, string];
      const path = pattern
        .replace(
          /:videoId|:id(?=\/|$)/g,
          pattern.startsWith("/api/sessions") ? "s_AAAAAAAAAAAAAAAAAAAA" : "v_0000000000000000",
        )
        .replace(/:n\b/, "1");
      const res = await send(method, path, method === "GET" || method === "DELETE" ? undefined : {}, {});
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("auth_required");
    },
  );
});
