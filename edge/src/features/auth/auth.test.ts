import { env, exports } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
  bearer,
  call,
  callJson,
  ORIGIN,
  PASSWORD,
  randomIp,
  refresh,
  refreshCookie,
  signUp,
  uniqueName,
} from "../../../test/auth.ts";
import { TEST_SECRETS } from "../../../test/secrets.ts";
import { signAccessToken } from "./access-token.ts";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
type AuthBody = {
  user: { id: string; email: string; handle: string; createdAt: string };
  accessToken: string;
  expiresAt: string;
};

function post<T = AuthBody & ErrorBody>(path: string, json: unknown, headers: Record<string, string> = {}) {
  return callJson<T>(path, { method: "POST", json, headers: { "cf-connecting-ip": randomIp(), ...headers } });
}

const me = (token: string) =>
  callJson<{ user: { id: string }; sessionId: string } & ErrorBody>("/api/me", { headers: bearer(token) });

function cookieAttributes(res: Response) {
  const line = res.headers.getSetCookie().find((l) => l.startsWith("sl_refresh="));
  return (line ?? "").split(";").map((p) => p.trim().toLowerCase());
}

describe("signup", () => {
  it("creates the account, answers 201 { user, accessToken, expiresAt } and sets the refresh cookie", async () => {
    const handle = uniqueName("Ana");
    const res = await post("/api/auth/signup", {
      email: `  ${handle.toUpperCase()}@Example.COM `,
      password: PASSWORD,
      handle,
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({
      id: expect.stringMatching(/^u_[A-Za-z0-9]{16}$/),
      email: `${handle.toLowerCase()}@example.com`,
      handle: handle.toLowerCase(),
      createdAt: expect.any(String),
      emailVerified: false,
    });
    expect(res.body.accessToken.split(".")).toHaveLength(3);
    const ttl = new Date(res.body.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
    expect(res.res.headers.get("cache-control")).toBe("no-store");

    const attrs = cookieAttributes(res.res);
    expect(attrs[0]).toMatch(/^sl_refresh=[a-z0-9_-]{43}$/);
    expect(attrs).toEqual(expect.arrayContaining(["httponly", "samesite=strict", "path=/api/auth"]));
    expect(attrs.some((a) => a.startsWith("max-age=") && Number(a.slice(8)) > 29 * 86400)).toBe(true);
    // http://127.0.0.1 is the one place a Secure cookie would be dropped.
    expect(attrs).not.toContain("secure");

    const who = await me(res.body.accessToken);
    expect(who.status).toBe(200);
    // `/api/me` adds the caller's roles (none for a new account; ADR 0024).
    expect(who.body.user).toEqual({ ...res.body.user, roles: [] });
    expect(who.res.headers.get("cache-control")).toContain("no-store");
  });

  it("stores only a PBKDF2 hash of the password and only a SHA-256 hash of the refresh token", async () => {
    const user = await signUp();
    const row = await env.DB.prepare("select password_hash from users where id = ?")
      .bind(user.id)
      .first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(row?.password_hash).not.toContain(PASSWORD);
    const token = user.cookie.split("=")[1]!;
    const rows = await env.DB.prepare("select * from refresh_tokens where user_id = ?")
      .bind(user.id)
      .all<Record<string, unknown>>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]).toMatchObject({
      token_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      jti: expect.stringMatching(/^rt_/),
      session_id: expect.stringMatching(/^s_/),
      family_id: expect.stringMatching(/^f_/),
      ip: user.ip,
      rotated_at: null,
    });
    expect(JSON.stringify(rows.results)).not.toContain(token);
  });

  it("sets a Secure cookie on any origin other than http loopback", async () => {
    // The same Worker, reached as https://streamline.example.
    const res = await exportsFetch("https://streamline.example/api/auth/signup", {
      email: `${uniqueName()}@example.com`,
      password: PASSWORD,
      handle: uniqueName(),
    });
    expect(res.status).toBe(201);
    expect(cookieAttributes(res)).toContain("secure");
  });

  it.each([
    ["no body at all", {}, ["email", "password", "handle"]],
    ["email not an email", { email: "nope", password: PASSWORD, handle: "fine_handle" }, ["email"]],
    [
      "email too long",
      { email: `${"a".repeat(250)}@example.com`, password: PASSWORD, handle: "fine_handle" },
      ["email"],
    ],
    [
      "password too short",
      { email: "a@example.com", password: "short", handle: "fine_handle" },
      ["password"],
    ],
    [
      "password too long",
      { email: "a@example.com", password: "x".repeat(257), handle: "fine_handle" },
      ["password"],
    ],
    [
      "common password",
      { email: "a@example.com", password: "Password123", handle: "fine_handle" },
      ["password"],
    ],
    [
      "one repeated character",
      { email: "a@example.com", password: "zzzzzzzzzzzz", handle: "fine_handle" },
      ["password"],
    ],
    [
      "password = handle",
      { email: "a@example.com", password: "handle_is_pw", handle: "handle_is_pw" },
      ["password"],
    ],
    [
      "password = email",
      { email: "longname@example.com", password: "longname@example.com", handle: "fine_handle" },
      ["password"],
    ],
    ["handle with spaces", { email: "a@example.com", password: PASSWORD, handle: "has space" }, ["handle"]],
    ["handle not URL-safe", { email: "a@example.com", password: PASSWORD, handle: "ünïcode" }, ["handle"]],
    ["handle too short", { email: "a@example.com", password: PASSWORD, handle: "ab" }, ["handle"]],
    ["handle too long", { email: "a@example.com", password: PASSWORD, handle: "a".repeat(31) }, ["handle"]],
    ["handle ends with -", { email: "a@example.com", password: PASSWORD, handle: "abc-" }, ["handle"]],
    ["reserved handle", { email: "a@example.com", password: PASSWORD, handle: "Admin" }, ["handle"]],
    ["wrong types", { email: 1, password: true, handle: null }, ["email", "password", "handle"]],
  ])("refuses %s with 400 and names the fields", async (_name, json, paths) => {
    const res = await post("/api/auth/signup", json);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.issues?.map((i) => i.path).sort()).toEqual([...paths].sort());
    for (const issue of res.body.error.issues ?? []) expect(issue.message).toBeTruthy();
    expect(refreshCookie(res.res)).toBeNull();
  });

  it("refuses malformed JSON (400), a non-object (400) and oversize bodies (413) before parsing", async () => {
    const bad = await call("/api/auth/signup", {
      method: "POST",
      body: "{nope",
      headers: { "content-type": "application/json" },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.code).toBe("invalid_json");
    expect((await post("/api/auth/signup", ["a", "b"])).status).toBe(400);

    const huge = JSON.stringify({ email: "a@example.com", password: PASSWORD, handle: "x".repeat(70_000) });
    const declared = await call("/api/auth/signup", {
      method: "POST",
      body: huge,
      headers: { "content-type": "application/json" },
    });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as ErrorBody).error.code).toBe("payload_too_large");
    const stream = new Blob([huge]).stream();
    const chunked = await call("/api/auth/signup", {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it("ignores unknown fields (zod strips them) — they can't smuggle anything in", async () => {
    const handle = uniqueName();
    const res = await post("/api/auth/signup", {
      email: `${handle}@example.com`,
      password: PASSWORD,
      handle,
      id: "u_AAAAAAAAAAAAAAAA",
      isAdmin: true,
      passwordHash: "pbkdf2-sha256$1$AA$AA",
    });
    expect(res.status).toBe(201);
    expect(res.body.user.id).not.toBe("u_AAAAAAAAAAAAAAAA");
    expect(res.body.user).not.toHaveProperty("isAdmin");
    const login = await post("/api/auth/login", { email: `${handle}@example.com`, password: PASSWORD });
    expect(login.status).toBe(200);
  });

  it("refuses a taken email (409 email_taken, whatever its case) and a taken handle (409 handle_taken)", async () => {
    const user = await signUp();
    const sameEmail = await post("/api/auth/signup", {
      email: user.email.toUpperCase(),
      password: PASSWORD,
      handle: uniqueName(),
    });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.error.code).toBe("email_taken");
    const sameHandle = await post("/api/auth/signup", {
      email: `${uniqueName()}@example.com`,
      password: PASSWORD,
      handle: user.handle.toUpperCase(),
    });
    expect(sameHandle.status).toBe(409);
    expect(sameHandle.body.error.code).toBe("handle_taken");
  });
});

function exportsFetch(url: string, json: unknown) {
  return exports.default.fetch(
    new Request(url, {
      method: "POST",
      body: JSON.stringify(json),
      headers: { "content-type": "application/json", "cf-connecting-ip": randomIp() },
    }),
  );
}

describe("login", () => {
  it("answers 200 { user, accessToken } with a new session and refresh cookie", async () => {
    const user = await signUp();
    const res = await post("/api/auth/login", {
      email: ` ${user.email.toUpperCase()}`,
      password: user.password,
    });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(user.id);
    expect(refreshCookie(res.res)).toBeTruthy();
    expect(refreshCookie(res.res)).not.toBe(user.cookie);
    const who = await me(res.body.accessToken);
    expect(who.status).toBe(200);
    expect(who.body.sessionId).not.toBe((await me(user.accessToken)).body.sessionId);
  });

  it("fails identically for a wrong password and an unknown email", async () => {
    const user = await signUp();
    const wrong = await post("/api/auth/login", { email: user.email, password: "not the password!" });
    const unknown = await post("/api/auth/login", {
      email: `${uniqueName()}@example.com`,
      password: "not the password!",
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe("invalid_credentials");
    expect([...wrong.res.headers.keys()].sort()).toEqual([...unknown.res.headers.keys()].sort());
    expect(refreshCookie(wrong.res)).toBeNull();
    expect(refreshCookie(unknown.res)).toBeNull();
  });

  it("validates its body (400) without running any password check", async () => {
    const res = await post("/api/auth/login", { email: "nope", password: "" });
    expect(res.status).toBe(400);
    expect(res.body.error.issues?.map((i) => i.path).sort()).toEqual(["email", "password"]);
  });
});

describe("access tokens on the API", () => {
  it("no token → 401 auth_required with a Bearer challenge", async () => {
    const res = await callJson<ErrorBody>("/api/me");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("auth_required");
    expect(res.res.headers.get("www-authenticate")).toBe("Bearer");
  });

  it("an expired token → 401 token_expired", async () => {
    const user = await signUp();
    const { sessionId } = (await me(user.accessToken)).body;
    const { token } = await signAccessToken(
      TEST_SECRETS.JWT_SECRET,
      { userId: user.id, sessionId },
      900,
      Date.now() - 3600_000,
    );
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("token_expired");
    expect(res.res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("a tampered payload, `alg: none`, another key or a malformed header → 401 invalid_token", async () => {
    const user = await signUp();
    const other = await signUp();
    const { sessionId } = (await me(user.accessToken)).body;
    const [h, p, s] = user.accessToken.split(".");
    const claims = JSON.parse(atob(p!.replace(/-/g, "+").replace(/_/g, "/")));
    const enc = (o: unknown) =>
      btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const forgedSub = `${h}.${enc({ ...claims, sub: other.id })}.${s}`;
    const forgedExp = `${h}.${enc({ ...claims, exp: claims.exp + 86400 })}.${s}`;
    const none = `${enc({ alg: "none", typ: "JWT" })}.${p}.`;
    const otherKey = (
      await signAccessToken("not-the-jwt-secret-0123456789abcd", { userId: user.id, sessionId }, 900)
    ).token;
    const hs384 = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS384" })
      .sign(new TextEncoder().encode(TEST_SECRETS.JWT_SECRET));
    for (const token of [forgedSub, forgedExp, none, otherKey, hs384, "garbage"]) {
      const res = await me(token);
      expect(res.status, token).toBe(401);
      expect(res.body.error.code).toBe("invalid_token");
    }
    for (const header of [
      `Basic ${btoa("a:b")}`,
      "Bearer",
      `Bearer ${user.accessToken} extra`,
      user.accessToken,
    ]) {
      const res = await callJson<ErrorBody>("/api/me", { headers: { authorization: header } });
      expect(res.status, header).toBe(401);
      expect(res.body.error.code).toBe("invalid_token");
    }
  });

  it("a token for a session that never existed is refused", async () => {
    const user = await signUp();
    const { token } = await signAccessToken(
      TEST_SECRETS.JWT_SECRET,
      { userId: user.id, sessionId: "s_doesnotexist0000000" },
      900,
    );
    expect((await me(token)).body.error.code).toBe("invalid_token");
  });
});

describe("refresh", () => {
  it("rotates the cookie every time and issues a fresh access token", async () => {
    const user = await signUp();
    const first = await refresh(user.cookie);
    expect(first.status).toBe(200);
    expect(first.body.user.id).toBe(user.id);
    expect(first.body.accessToken).not.toBe(user.accessToken);
    const second = refreshCookie(first.res);
    expect(second).toBeTruthy();
    expect(second).not.toBe(user.cookie);
    expect((await me(first.body.accessToken)).status).toBe(200);

    const next = await refresh(second);
    expect(next.status).toBe(200);
    expect(refreshCookie(next.res)).not.toBe(second);
    const rows = await env.DB.prepare("select rotated_at, replaced_by from refresh_tokens where user_id = ?")
      .bind(user.id)
      .all<{ rotated_at: number | null; replaced_by: string | null }>();
    // One live token per session; each rotated one names its successor.
    expect(rows.results.filter((r) => r.rotated_at === null)).toHaveLength(1);
    expect(
      rows.results.filter((r) => r.rotated_at !== null && r.replaced_by?.startsWith("rt_")),
    ).toHaveLength(2);
  });

  it("slides the session's expiry forward", async () => {
    const user = await signUp();
    const { sessionId } = (await me(user.accessToken)).body;
    await env.DB.prepare("update sessions set expires_at = ? where id = ?")
      .bind(Date.now() + 60_000, sessionId)
      .run();
    expect((await refresh(user.cookie)).status).toBe(200);
    const row = await env.DB.prepare("select expires_at from sessions where id = ?")
      .bind(sessionId)
      .first<{ expires_at: number }>();
    expect(row!.expires_at).toBeGreaterThan(Date.now() + 29 * 86400_000);
  });

  it("reuse of a rotated token revokes the whole family: every token and access token of the session dies", async () => {
    const user = await signUp();
    const rotated = await refresh(user.cookie);
    expect(rotated.status).toBe(200);
    const current = refreshCookie(rotated.res)!;
    // Past the grace window a just-rotated token gets (ADR 0005): age the rotation.
    await env.DB.prepare(
      "update refresh_tokens set rotated_at = rotated_at - 60000 where user_id = ? and rotated_at is not null",
    )
      .bind(user.id)
      .run();

    // The attacker replays the stolen (already rotated) cookie.
    const replay = await refresh(user.cookie);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe("refresh_token_reused");
    expect(
      replay.res.headers.getSetCookie().some((l) => /^sl_refresh=;/.test(l) && /max-age=0/i.test(l)),
    ).toBe(true);

    // The legitimate holder's newest token is dead too, and so are both access tokens.
    const legit = await refresh(current);
    expect(legit.status).toBe(401);
    expect(legit.body.error.code).toBe("session_revoked");
    for (const token of [user.accessToken, rotated.body.accessToken]) {
      const res = await me(token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("invalid_token");
    }
    const session = await env.DB.prepare("select revoked_reason from sessions where user_id = ?")
      .bind(user.id)
      .first();
    expect(session).toEqual({ revoked_reason: "refresh_reuse" });
  });

  it("two refreshes at once with one cookie both succeed with the same successor cookie", async () => {
    const user = await signUp();
    const [a, b] = await Promise.all([refresh(user.cookie), refresh(user.cookie)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const successor = refreshCookie(a.res)!;
    expect(refreshCookie(b.res)).toBe(successor);
    for (const token of [a.body.accessToken, b.body.accessToken]) expect((await me(token)).status).toBe(200);
    // Exactly one live token is left, and it keeps working.
    const live = await env.DB.prepare(
      "select count(*) as n from refresh_tokens where user_id = ? and rotated_at is null",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(live!.n).toBe(1);
    expect((await refresh(successor)).status).toBe(200);
  });

  it("another session of the same user is not touched by one family's revocation", async () => {
    const user = await signUp();
    const laptop = await post("/api/auth/login", { email: user.email, password: user.password });
    await refresh(user.cookie);
    await refresh(user.cookie); // reuse → the phone's family is revoked
    expect((await me(laptop.body.accessToken)).status).toBe(200);
    expect((await refresh(refreshCookie(laptop.res))).status).toBe(200);
  });

  it("refuses a missing, unknown or expired cookie with 401", async () => {
    const none = await refresh(null);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("no_refresh_token");
    const unknown = await refresh("sl_refresh=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe("invalid_refresh_token");

    const user = await signUp();
    await env.DB.prepare("update refresh_tokens set expires_at = ? where user_id = ?")
      .bind(Date.now() - 1000, user.id)
      .run();
    const expired = await refresh(user.cookie);
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe("session_expired");
  });

  it("CSRF: needs an allowed Origin as well as the cookie", async () => {
    const user = await signUp();
    const noOrigin = await callJson<ErrorBody>("/api/auth/refresh", {
      method: "POST",
      headers: { cookie: user.cookie },
    });
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.body.error.code).toBe("bad_origin");
    const foreign = await refresh(user.cookie, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe("bad_origin");
    // Neither attempt consumed the token.
    expect((await refresh(user.cookie)).status).toBe(200);
  });
});

describe("logout", () => {
  it("revokes the session: 204, cookie cleared, refresh and access token refused", async () => {
    const user = await signUp();
    const res = await call("/api/auth/logout", {
      method: "POST",
      headers: { origin: ORIGIN, cookie: user.cookie, ...user.auth },
    });
    expect(res.status).toBe(204);
    expect(
      res.headers.getSetCookie().some((l) => /^sl_refresh=;/.test(l) && /path=\/api\/auth/i.test(l)),
    ).toBe(true);
    expect((await refresh(user.cookie)).status).toBe(401);
    expect((await me(user.accessToken)).body.error.code).toBe("invalid_token");
  });

  it("works with only the access token, is idempotent, and never fails for a bad token", async () => {
    const user = await signUp();
    const byToken = await call("/api/auth/logout", {
      method: "POST",
      headers: { origin: ORIGIN, ...user.auth },
    });
    expect(byToken.status).toBe(204);
    expect((await me(user.accessToken)).status).toBe(401);
    expect((await refresh(user.cookie)).status).toBe(401);
    const again = await call("/api/auth/logout", {
      method: "POST",
      headers: { origin: ORIGIN, cookie: user.cookie, ...user.auth },
    });
    expect(again.status).toBe(204);
    const junk = await call("/api/auth/logout", {
      method: "POST",
      headers: { origin: ORIGIN, authorization: "Bearer junk" },
    });
    expect(junk.status).toBe(204);
  });

  it("CSRF: a cross-site logout is refused and changes nothing", async () => {
    const user = await signUp();
    const res = await call("/api/auth/logout", {
      method: "POST",
      headers: { origin: "https://evil.example", cookie: user.cookie },
    });
    expect(res.status).toBe(403);
    expect((await me(user.accessToken)).status).toBe(200);
  });
});
