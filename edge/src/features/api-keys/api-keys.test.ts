import { env } from "cloudflare:workers";
import type { ApiKeyDto, ApiKeyScope } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { bearer, callJson, signUp, type TestUser } from "../../../test/auth.ts";
import { hashApiKey } from "./api-keys.service.ts";
import { requiredScope, SCOPE_RULES } from "./scopes.ts";

type Err = { error: { code: string; message: string } };

async function createKey(owner: TestUser, scopes: ApiKeyScope[], name = "server") {
  const res = await callJson<{ apiKey: ApiKeyDto; key: string } & Err>("/api/me/api-keys", {
    method: "POST",
    json: { name, scopes },
    headers: owner.auth,
  });
  expect(res.status).toBe(201);
  return res.body;
}

const createUpload = (auth: Record<string, string>) =>
  callJson<{ videoId: string } & Err>("/api/uploads", {
    method: "POST",
    json: { filename: "clip.mp4", size: 1000, contentType: "video/mp4" },
    headers: auth,
  });

const listKeys = async (owner: TestUser) =>
  (await callJson<{ apiKeys: ApiKeyDto[] }>("/api/me/api-keys", { headers: owner.auth })).body.apiKeys;

describe("API keys", () => {
  it("are shown once as sl_ + 43 base64url characters and stored as their SHA-256 only", async () => {
    const owner = await signUp();
    const { apiKey, key } = await createKey(owner, ["videos:read"]);
    expect(key).toMatch(/^sl_[A-Za-z0-9_-]{43}$/);
    expect(apiKey.prefix).toBe(key.slice(0, 11));
    const row = await env.DB.prepare("select * from api_keys where id = ?").bind(apiKey.id).first();
    expect(row?.key_hash).toBe(await hashApiKey(key));
    expect(JSON.stringify(row)).not.toContain(key.slice(3));
    const listed = await listKeys(owner);
    expect(listed.map((k) => k.id)).toEqual([apiKey.id]);
    expect(JSON.stringify(listed)).not.toContain(key.slice(11));
  });

  it("a read key reads but cannot upload: 403 insufficient_scope naming the scope", async () => {
    const owner = await signUp();
    const { key } = await createKey(owner, ["videos:read"]);
    const mine = await callJson("/api/me/videos", { headers: bearer(key) });
    expect(mine.status).toBe(200);
    const upload = await createUpload(bearer(key));
    expect(upload.status).toBe(403);
    expect(upload.body.error.code).toBe("insufficient_scope");
    expect(upload.body.error.message).toContain("uploads");
    expect(upload.res.headers.get("www-authenticate")).toBe(
      'Bearer error="insufficient_scope", scope="uploads"',
    );
  });

  it("an uploads key creates an upload owned by the key's user", async () => {
    const owner = await signUp();
    const { key } = await createKey(owner, ["uploads"]);
    const upload = await createUpload(bearer(key));
    expect(upload.status).toBe(201);
    const row = await env.DB.prepare("select owner_id from videos where id = ?")
      .bind(upload.body.videoId)
      .first();
    expect(row?.owner_id).toBe(owner.id);
    // …but reading videos is another scope.
    expect((await callJson(`/api/videos/${upload.body.videoId}`, { headers: bearer(key) })).status).toBe(403);
  });

  it("key management, account and community routes need a real session, whatever the key's scopes", async () => {
    const owner = await signUp();
    const { key, apiKey } = await createKey(owner, [
      "videos:read",
      "videos:write",
      "uploads",
      "analytics:read",
      "webhooks",
    ]);
    const attempts = [
      callJson<Err>("/api/me/api-keys", { headers: bearer(key) }),
      callJson<Err>("/api/me/api-keys", {
        method: "POST",
        json: { name: "x", scopes: ["uploads"] },
        headers: bearer(key),
      }),
      callJson<Err>(`/api/me/api-keys/${apiKey.id}`, { method: "DELETE", headers: bearer(key) }),
      callJson<Err>("/api/me/preferences", { headers: bearer(key) }),
      callJson<Err>("/api/sessions", { headers: bearer(key) }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("insufficient_scope");
      expect(res.body.error.message).toContain("signed-in session");
    }
    // The key survived its own attempt to revoke itself.
    expect((await listKeys(owner)).map((k) => k.id)).toEqual([apiKey.id]);
  });

  it("a revoked key gets 401 at once; an unknown one too", async () => {
    const owner = await signUp();
    const { key, apiKey } = await createKey(owner, ["videos:read"]);
    expect((await callJson("/api/me/videos", { headers: bearer(key) })).status).toBe(200);
    const revoke = await callJson(`/api/me/api-keys/${apiKey.id}`, { method: "DELETE", headers: owner.auth });
    expect(revoke.status).toBe(204);
    const after = await callJson<Err>("/api/me/videos", { headers: bearer(key) });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("invalid_token");
    expect(await listKeys(owner)).toEqual([]);
    // Revoking twice, or someone else's key: 404.
    expect(
      (await callJson(`/api/me/api-keys/${apiKey.id}`, { method: "DELETE", headers: owner.auth })).status,
    ).toBe(404);
    const forged = `sl_${"A".repeat(43)}`;
    expect((await callJson("/api/me/videos", { headers: bearer(forged) })).status).toBe(401);
  });

  it("another user cannot revoke my key", async () => {
    const owner = await signUp();
    const other = await signUp();
    const { apiKey } = await createKey(owner, ["videos:read"]);
    const res = await callJson(`/api/me/api-keys/${apiKey.id}`, { method: "DELETE", headers: other.auth });
    expect(res.status).toBe(404);
    expect((await listKeys(owner)).length).toBe(1);
  });

  it("last use moves when the key is used, and is not rewritten within the minute", async () => {
    const owner = await signUp();
    const { apiKey, key } = await createKey(owner, ["videos:read"]);
    expect(apiKey.lastUsedAt).toBeNull();
    await callJson("/api/me/videos", { headers: bearer(key) });
    await expect.poll(async () => (await listKeys(owner))[0]?.lastUsedAt ?? null).not.toBeNull();
    const used = (await listKeys(owner))[0]!.lastUsedAt!;
    expect(Date.parse(used)).toBeGreaterThan(Date.parse(apiKey.createdAt) - 1);
    await callJson("/api/me/videos", { headers: bearer(key) });
    expect((await listKeys(owner))[0]!.lastUsedAt).toBe(used);
  });

  it("validates the body: known scopes, a name, at least one scope", async () => {
    const owner = await signUp();
    for (const json of [
      { name: "x", scopes: ["admin"] },
      { name: "", scopes: ["uploads"] },
      { name: "x", scopes: [] },
    ]) {
      const res = await callJson<Err>("/api/me/api-keys", { method: "POST", json, headers: owner.auth });
      expect(res.status).toBe(400);
    }
  });
});

describe("the scope table", () => {
  it.each([
    ["POST", "/api/uploads", "uploads"],
    ["PUT", "/api/uploads/v_abc/parts/1", "uploads"],
    ["POST", "/api/uploads/v_abc/complete", "uploads"],
    ["GET", "/api/videos/v_abc", "videos:read"],
    ["GET", "/api/videos/v_abc/playlist.m3u8", "videos:read"],
    ["GET", "/api/me/videos", "videos:read"],
    ["PATCH", "/api/videos/v_abc", "videos:write"],
    ["DELETE", "/api/videos/v_abc", "videos:write"],
    ["PUT", "/api/videos/v_abc/captions/en", "videos:write"],
    ["GET", "/api/videos/v_abc/analytics", "analytics:read"],
    ["GET", "/api/me/analytics", "analytics:read"],
    ["POST", "/api/me/webhooks", "webhooks"],
    ["POST", "/api/me/webhooks/wh_x/deliveries/wd_y/redeliver", "webhooks"],
  ])("%s %s needs %s", (method, path, scope) => {
    expect(requiredScope(method, path)).toBe(scope);
  });

  it.each([
    ["GET", "/api/me/api-keys"],
    ["POST", "/api/me/api-keys"],
    ["POST", "/api/auth/logout"],
    ["GET", "/api/me/preferences"],
    ["POST", "/api/videos/v_abc/comments"],
    ["PUT", "/api/videos/v_abc/reaction"],
    ["GET", "/api/admin/reports"],
    ["GET", "/api/me/apikeys-lookalike"],
    ["POST", "/api/videos/v_abc"],
  ])("%s %s is closed to keys", (method, path) => {
    expect(requiredScope(method, path)).toBeNull();
  });

  it("every rule is anchored (no prefix matches)", () => {
    for (const rule of SCOPE_RULES)
      expect(rule.path.source.startsWith("^") && rule.path.source.endsWith("$")).toBe(true);
  });
});
