/**
 * Issue 17, D1 errors: the Worker runs on a D1 binding that throws D1's own errors for the
 * statements a rule picks (edge/test/faulty-d1.ts). Every fault answers 503
 * `database_unavailable` with the error shape and `Retry-After`; and for writes that change
 * several rows together, failing ANY one of the request's write statements (the 1st, the
 * 2nd, … until the request no longer reaches one) leaves nothing half-written.
 */

import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { randomIp, signUp, type TestUser, uniqueName } from "../../test/auth.ts";
import { type D1FaultRule, faultyD1 } from "../../test/faulty-d1.ts";
import { insertVideo } from "../../test/fixtures.ts";
import { ORIGIN } from "../../test/http.ts";
import { app } from "../app.ts";

const WRITE = /^\s*(insert|update|delete|replace)\b/i;

/** One request on a Worker whose D1 fails as `rule` says. */
async function withFaultyDb(rule: D1FaultRule, path: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  const request = new Request(`${ORIGIN}${path}`, {
    ...rest,
    headers,
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  const faulty = faultyD1(env.DB, rule);
  const ctx = createExecutionContext();
  const res = await app.fetch(request, { ...env, DB: faulty.db }, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return {
    res,
    body: text ? (JSON.parse(text) as { error?: { code: string; message: string } }) : null,
    faulty,
  };
}

function expectUnavailable(r: Awaited<ReturnType<typeof withFaultyDb>>, what: string) {
  expect(r.res.status, what).toBe(503);
  expect(r.body?.error?.code, what).toBe("database_unavailable");
  expect(r.body?.error?.message, what).toMatch(/try again/);
  expect(r.res.headers.get("retry-after"), what).toBe("2");
}

/**
 * Fails the request's 1st write statement, then (a fresh try) its 2nd, and so on until a
 * try meets no write left to fail, which must succeed. After every failed try, `state`
 * must read what it read before the request: all of the write or none of it.
 */
async function everyWritePoint(opts: {
  request: (rule: D1FaultRule, attempt: number) => ReturnType<typeof withFaultyDb>;
  state: (attempt: number) => Promise<unknown>;
  succeeded: (status: number) => boolean;
  /** After a failed try (default: the state is what it was before). */
  consistent?: (before: unknown, after: unknown, attempt: number) => Promise<void>;
}) {
  const failedAt: number[] = [];
  for (let nth = 1; nth <= 12; nth++) {
    const before = await opts.state(nth);
    const r = await opts.request({ sql: WRITE, nth }, nth);
    if (r.faulty.failures === 0) {
      expect(opts.succeeded(r.res.status), `no fault injected at write ${nth}: ${r.res.status}`).toBe(true);
      return failedAt;
    }
    if (opts.succeeded(r.res.status)) {
      // A best-effort write after the response's own (a background mail token, a "last used"
      // stamp) failed; the request's writes are all done.
      continue;
    }
    expectUnavailable(r, `write ${nth}`);
    const after = await opts.state(nth);
    if (opts.consistent) await opts.consistent(before, after, nth);
    else expect(after, `state after failing write ${nth}`).toEqual(before);
    failedAt.push(nth);
  }
  throw new Error("the request never ran out of writes to fail");
}

const one = async (sql: string, ...params: unknown[]) =>
  env.DB.prepare(sql)
    .bind(...params)
    .first();

let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  alice = await signUp();
  bob = await signUp();
  for (const u of [alice, bob]) {
    await env.DB.prepare("update users set email_verified_at = ? where id = ?").bind(Date.now(), u.id).run();
  }
});

describe("D1 errors", () => {
  it("a read that fails → 503 database_unavailable with Retry-After", async () => {
    const video = await insertVideo({
      ownerId: alice.id,
      visibility: "public",
      status: "ready",
      playable: false,
    });
    const r = await withFaultyDb({ sql: /from "videos"/i, times: 10 }, `/api/videos/${video.id}`);
    expectUnavailable(r, "GET video");
  });

  it("a D1 constraint error is a bug, not an outage: still 500", async () => {
    const video = await insertVideo({
      ownerId: alice.id,
      visibility: "public",
      status: "ready",
      playable: false,
    });
    const r = await withFaultyDb(
      { sql: /from "videos"/i, message: "D1_ERROR: UNIQUE constraint failed: videos.id: SQLITE_CONSTRAINT" },
      `/api/videos/${video.id}`,
    );
    expect(r.res.status).toBe(500);
    expect(r.body?.error?.code).toBe("internal_error");
  });

  it("signup: the account and its channel are written together or not at all; a lost session leaves a working account", async () => {
    const names = new Map<number, string>();
    const nameFor = (i: number) => {
      if (!names.has(i)) names.set(i, uniqueName("dbf"));
      return names.get(i)!;
    };
    const failedAt = await everyWritePoint({
      request: (rule, i) =>
        withFaultyDb(rule, "/api/auth/signup", {
          method: "POST",
          json: {
            email: `${nameFor(i)}@example.com`,
            handle: nameFor(i),
            password: "correct horse battery staple",
          },
          headers: { "cf-connecting-ip": randomIp() },
        }),
      state: async (i) => ({
        users: (await one("select count(*) as n from users where email = ?", `${nameFor(i)}@example.com`))?.n,
        channels: (
          await one(
            "select count(*) as n from channels c join users u on u.id = c.user_id where u.handle = ?",
            nameFor(i),
          )
        )?.n,
      }),
      succeeded: (status) => status === 201,
      // The account and its channel are one batch. The session is a second one: when only it
      // fails, the account stands whole and its password signs in (a repeated signup is 409
      // `email_taken`, "log in instead").
      consistent: async (_before, after, i) => {
        const { users, channels } = after as { users: number; channels: number };
        expect(users, `write ${i}`).toBe(channels);
        if (users === 0) return;
        const login = await withFaultyDb({ sql: /^$/ }, "/api/auth/login", {
          method: "POST",
          json: { email: `${nameFor(i)}@example.com`, password: "correct horse battery staple" },
          headers: { "cf-connecting-ip": randomIp() },
        });
        expect(login.res.status, `login after failing write ${i}`).toBe(200);
      },
    });
    expect(failedAt.length).toBeGreaterThanOrEqual(2);
  });

  it("a comment and the video's comment count move together or not at all", async () => {
    const video = await insertVideo({
      ownerId: alice.id,
      visibility: "public",
      status: "ready",
      playable: true,
    });
    await everyWritePoint({
      request: (rule, i) =>
        withFaultyDb(rule, `/api/videos/${video.id}/comments`, {
          method: "POST",
          json: { text: `comment ${i}` },
          headers: bob.auth,
        }),
      state: async () => ({
        rows: (await one("select count(*) as n from comments where video_id = ?", video.id))?.n,
        counter: (await one("select comment_count as n from videos where id = ?", video.id))?.n,
      }),
      succeeded: (status) => status === 201,
    });
  });

  it("a subscription and the channel's subscriber count move together or not at all", async () => {
    const owner = await signUp();
    await everyWritePoint({
      request: (rule) =>
        withFaultyDb(rule, `/api/channels/${owner.handle}/subscription`, {
          method: "PUT",
          headers: bob.auth,
        }),
      state: async () => ({
        rows: (await one("select count(*) as n from subscriptions where subscriber_id = ?", bob.id))?.n,
        counter: (await one("select subscriber_count as n from channels where user_id = ?", owner.id))?.n,
      }),
      succeeded: (status) => status >= 200 && status < 300,
    });
  });

  it("making a video private moves visibility and the access epoch together or not at all", async () => {
    const video = await insertVideo({
      ownerId: alice.id,
      visibility: "public",
      status: "ready",
      playable: true,
    });
    await everyWritePoint({
      request: (rule) =>
        withFaultyDb(rule, `/api/videos/${video.id}`, {
          method: "PATCH",
          json: { visibility: "private" },
          headers: alice.auth,
        }),
      state: async () => await one("select visibility, access_epoch from videos where id = ?", video.id),
      succeeded: (status) => status === 200,
    });
  });
});
