import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bearer, call, callJson, randomIp, refresh, refreshCookie, signUp } from "../../../test/auth.ts";
import { database } from "../../db/client.ts";
import {
  clearSessionStatusCache,
  isSessionLive,
  markSessionRevoked,
  type SessionLookup,
} from "./session-status.ts";
import { SessionsRepo } from "./sessions.repo.ts";

type Session = {
  id: string;
  current: boolean;
  userAgent: string;
  ip: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
};

async function login(email: string, password: string, userAgent: string) {
  const res = await callJson<{ accessToken: string }>("/api/auth/login", {
    method: "POST",
    json: { email, password },
    headers: { "cf-connecting-ip": randomIp(), "user-agent": userAgent },
  });
  return { token: res.body.accessToken, cookie: refreshCookie(res.res)! };
}

const list = (token: string) =>
  callJson<{ sessions: Session[] }>("/api/sessions", { headers: bearer(token) });

describe("sessions", () => {
  it("lists the caller's live sessions with device details, marking the current one", async () => {
    const user = await signUp();
    const laptop = await login(user.email, user.password, "Laptop Browser/1.0");
    const res = await list(laptop.token);
    expect(res.status).toBe(200);
    expect(res.body.sessions).toHaveLength(2);
    const current = res.body.sessions.find((s) => s.current)!;
    expect(current.userAgent).toBe("Laptop Browser/1.0");
    expect(current.id).toMatch(/^s_[A-Za-z0-9]{20}$/);
    expect(res.body.sessions.filter((s) => !s.current)[0]!.ip).toBe(user.ip);
    expect(res.res.headers.get("cache-control")).toContain("no-store");
  });

  it("DELETE logs that device out: its refresh and access tokens stop working, ours keep going", async () => {
    const user = await signUp();
    const phone = await login(user.email, user.password, "Phone/2.0");
    const phoneId = (await list(phone.token)).body.sessions.find((s) => s.current)!.id;

    expect((await call(`/api/sessions/${phoneId}`, { method: "DELETE", headers: user.auth })).status).toBe(
      204,
    );
    expect((await callJson("/api/me", { headers: bearer(phone.token) })).status).toBe(401);
    expect((await refresh(phone.cookie)).status).toBe(401);
    const mine = await list(user.accessToken);
    expect(mine.status).toBe(200);
    expect(mine.body.sessions.map((s) => s.id)).not.toContain(phoneId);
    expect((await refresh(user.cookie)).status).toBe(200);
  });

  it("IDOR: another user's session id is 404 and stays signed in", async () => {
    const alice = await signUp();
    const mallory = await signUp();
    const aliceSession = (await list(alice.accessToken)).body.sessions[0]!.id;
    const res = await callJson<{ error: { code: string } }>(`/api/sessions/${aliceSession}`, {
      method: "DELETE",
      headers: mallory.auth,
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect((await list(alice.accessToken)).status).toBe(200);
    expect((await list(mallory.accessToken)).body.sessions.map((s) => s.id)).not.toContain(aliceSession);
  });

  it("unknown and malformed session ids are 404; anonymous callers 401", async () => {
    const user = await signUp();
    for (const id of ["s_AAAAAAAAAAAAAAAAAAAA", "nope"]) {
      expect((await call(`/api/sessions/${id}`, { method: "DELETE", headers: user.auth })).status).toBe(404);
    }
    expect((await call("/api/sessions")).status).toBe(401);
    const sessionId = (await list(user.accessToken)).body.sessions[0]!.id;
    expect((await call(`/api/sessions/${sessionId}`, { method: "DELETE" })).status).toBe(401);
  });

  it("revoking the current session works like logout", async () => {
    const user = await signUp();
    const id = (await list(user.accessToken)).body.sessions[0]!.id;
    expect((await call(`/api/sessions/${id}`, { method: "DELETE", headers: user.auth })).status).toBe(204);
    expect((await list(user.accessToken)).status).toBe(401);
  });

  it("a revocation written to D1 by another isolate is honoured once this isolate looks again", async () => {
    const user = await signUp();
    const sessionId = (await list(user.accessToken)).body.sessions[0]!.id;
    // Another isolate revokes it (only D1 changes; this isolate's cache still says live).
    await env.DB.prepare("update sessions set revoked_at = ?, revoked_reason = 'revoked' where id = ?")
      .bind(Date.now(), sessionId)
      .run();
    clearSessionStatusCache();
    // Cold cache: D1 is read, refused at once.
    expect((await list(user.accessToken)).status).toBe(401);
  });
});

describe("session status cache", () => {
  const SID = "s_cachecachecachecach";
  function lookup(row: { userId: string; revokedAt: number | null; expiresAt: number } | undefined) {
    const calls = { n: 0 };
    const repo: SessionLookup = {
      find: async () => {
        calls.n++;
        return row;
      },
    };
    return { repo, calls, row };
  }

  it("asks D1 once per window, so staleness is bounded by the window", async () => {
    clearSessionStatusCache();
    const now = 1_000_000;
    const row = { userId: "u_1", revokedAt: null as number | null, expiresAt: now + 86400_000 };
    const { repo, calls } = lookup(row);
    expect(await isSessionLive(repo, SID, "u_1", 5000, now)).toBe(true);
    row.revokedAt = now + 1; // revoked elsewhere
    expect(await isSessionLive(repo, SID, "u_1", 5000, now + 4999)).toBe(true);
    expect(calls.n).toBe(1);
    expect(await isSessionLive(repo, SID, "u_1", 5000, now + 5000)).toBe(false);
    expect(calls.n).toBe(2);
  });

  it("local revocations take effect at once, and a session only serves its own user", async () => {
    clearSessionStatusCache();
    const now = 1_000_000;
    const { repo } = lookup({ userId: "u_1", revokedAt: null, expiresAt: now + 86400_000 });
    expect(await isSessionLive(repo, SID, "u_1", 5000, now)).toBe(true);
    expect(await isSessionLive(repo, SID, "u_2", 5000, now)).toBe(false);
    markSessionRevoked(SID, now);
    expect(await isSessionLive(repo, SID, "u_1", 5000, now + 1)).toBe(false);
  });

  it("expired and unknown sessions are not live; a zero window always asks D1", async () => {
    clearSessionStatusCache();
    const now = 1_000_000;
    expect(
      await isSessionLive(
        lookup({ userId: "u_1", revokedAt: null, expiresAt: now - 1 }).repo,
        "s_a",
        "u_1",
        5000,
        now,
      ),
    ).toBe(false);
    expect(await isSessionLive(lookup(undefined).repo, "s_b", "u_1", 5000, now)).toBe(false);
    const live = lookup({ userId: "u_1", revokedAt: null, expiresAt: now + 1000 });
    await isSessionLive(live.repo, "s_c", "u_1", 0, now);
    await isSessionLive(live.repo, "s_c", "u_1", 0, now);
    expect(live.calls.n).toBe(2);
  });
});

describe("housekeeping (for the cron sweeper)", () => {
  it("purge drops expired refresh tokens and long-dead sessions, keeps live ones", async () => {
    const live = await signUp();
    const dead = await signUp();
    const liveSession = (await list(live.accessToken)).body.sessions[0]!.id;
    const deadSession = (await list(dead.accessToken)).body.sessions[0]!.id;
    const longAgo = Date.now() - 30 * 86400_000;
    await env.DB.prepare("update sessions set revoked_at = ?, revoked_reason = 'logout' where id = ?")
      .bind(longAgo, deadSession)
      .run();
    await env.DB.prepare("update refresh_tokens set expires_at = ? where session_id = ?")
      .bind(longAgo, deadSession)
      .run();

    await new SessionsRepo(database(env.DB)).purge(Date.now());
    const count = async (sql: string, id: string) =>
      (await env.DB.prepare(sql).bind(id).first<{ n: number }>())!.n;
    expect(await count("select count(*) as n from sessions where id = ?", deadSession)).toBe(0);
    expect(await count("select count(*) as n from refresh_tokens where session_id = ?", deadSession)).toBe(0);
    expect(await count("select count(*) as n from sessions where id = ?", liveSession)).toBe(1);
    expect((await refresh(live.cookie)).status).toBe(200);
  });
});
