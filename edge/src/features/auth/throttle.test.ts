/**
 * Hole 7 (no lock-out by failed guesses) and hole 8 (signup enumeration) of issue 11:
 * the per-email progressive delay and the per-IP signup window, over the real Worker and
 * D1, and the delay arithmetic over the service with an injected clock.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, callJson, PASSWORD, randomIp, refreshCookie, signUp, uniqueName } from "../../../test/auth.ts";
import { TEST_SECRETS } from "../../../test/secrets.ts";
import { database } from "../../db/client.ts";
import { pbkdf2Hasher } from "../../lib/passwords.ts";
import { services } from "../../lib/services.ts";
import { sweep } from "../jobs/sweeper.ts";
import { AuthService } from "./auth.service.ts";
import { DEVICE_COOKIE } from "./device-cookie.ts";
import { SessionsRepo } from "./sessions.repo.ts";
import { FAILURE_MEMORY_MS, loginDelayMs, SIGNUP_WINDOW_MS, ThrottleRepo } from "./throttle.repo.ts";
import { UsersRepo } from "./users.repo.ts";

type ErrorBody = { error: { code: string; message: string } };

const login = (email: string, password: string, cookie?: string) =>
  callJson<ErrorBody>("/api/auth/login", {
    method: "POST",
    json: { email, password },
    headers: { "cf-connecting-ip": randomIp(), ...(cookie ? { cookie } : {}) },
  });

function deviceCookie(res: Response): string {
  const line = res.headers.getSetCookie().find((l) => l.startsWith(`${DEVICE_COOKIE}=`));
  if (!line) throw new Error("no device cookie");
  return line.split(";")[0]!;
}

/** Wrong passwords from ever-new IPs until the email is delayed; returns the refusal. */
async function guessUntilDelayed(email: string) {
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) {
    const res = await login(email, `wrong password ${i}!`);
    statuses.push(res.status);
    if (res.status === 429) return { statuses, res: res.res, body: res.body };
  }
  throw new Error(`never delayed: ${statuses.join(",")}`);
}

const throttleRow = (key: string) =>
  env.DB.prepare("select failures from auth_throttle where key = ?").bind(key).first<{ failures: number }>();

describe("sign-in: a progressive delay per email, never a lock-out (hole 7)", () => {
  it("after 5 failures the next attempt waits (429 + Retry-After), the same for a made-up address", async () => {
    const victim = await signUp();
    const real = await guessUntilDelayed(victim.email);
    expect(real.statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(Number(real.res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(real.body.error).toMatchObject({ code: "rate_limited" });

    const madeUp = await guessUntilDelayed(`${uniqueName()}@example.com`);
    expect(madeUp.statuses).toEqual(real.statuses);
    expect(madeUp.body).toEqual(real.body);

    // The right password from a browser that never signed in waits like everyone else…
    const fresh = await login(victim.email, victim.password);
    expect(fresh.status).toBe(429);
  });

  it("…but the owner's browser signs in at once: device cookie, or a live session's refresh cookie", async () => {
    const signup = await callJson<{ user: { id: string } }>("/api/auth/signup", {
      method: "POST",
      json: { email: `${uniqueName()}@example.com`, password: PASSWORD, handle: uniqueName() },
      headers: { "cf-connecting-ip": randomIp() },
    });
    const email = (signup.body as unknown as { user: { email: string } }).user.email;
    const device = deviceCookie(signup.res);
    const refresh = refreshCookie(signup.res)!;
    const attributes = signup.res.headers
      .getSetCookie()
      .find((l) => l.startsWith(`${DEVICE_COOKIE}=`))!
      .split(";")
      .map((p) => p.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(["httponly", "samesite=strict", "path=/api/auth", "max-age=31536000"]),
    );

    await guessUntilDelayed(email);
    expect((await login(email, PASSWORD, refresh)).status).toBe(200);

    await guessUntilDelayed(email);
    const withDevice = await login(email, PASSWORD, device);
    expect(withDevice.status).toBe(200);
    expect(deviceCookie(withDevice.res)).toMatch(/^sl_device=u_/);
    // Success cleared the count.
    expect(await throttleRow(`login:${email}`)).toBeNull();
    expect((await login(email, "wrong password!")).status).toBe(401);

    // Someone else's device cookie, a forged one, or another account's session buys nothing.
    const other = await signUp();
    await guessUntilDelayed(email);
    for (const cookie of [other.cookie, `${DEVICE_COOKIE}=${device.split("=")[1]!.slice(0, -2)}AA`]) {
      expect((await login(email, PASSWORD, cookie)).status).toBe(429);
    }
  });

  it("a known device's wrong password still counts", async () => {
    const user = await signUp();
    await login(user.email, "wrong password!", user.cookie);
    expect(await throttleRow(`login:${user.email}`)).toEqual({ failures: 1 });
  });
});

describe("the delay, with a clock", () => {
  const policy = { freeFailures: 5, maxDelayMs: 300_000 };

  it("doubles from 1 s after the free failures, capped", () => {
    expect([0, 4, 5, 6, 7, 12, 13, 40].map((f) => loginDelayMs(f, policy))).toEqual([
      0, 0, 1000, 2000, 4000, 128_000, 256_000, 300_000,
    ]);
  });

  it("attempt k+1 may start 2^k s after attempt k; a success clears it; quiet for an hour forgets it", async () => {
    const db = database(env.DB);
    let now = 1_700_000_000_000;
    const auth = new AuthService({
      users: new UsersRepo(db),
      sessions: new SessionsRepo(db),
      passwords: pbkdf2Hasher(10_000),
      throttle: new ThrottleRepo(db),
      config: { JWT_SECRET: TEST_SECRETS.JWT_SECRET, ACCESS_TOKEN_TTL_SECONDS: 900, REFRESH_TTL_DAYS: 30 },
      now: () => now,
    });
    const handle = uniqueName();
    const body = { email: `${handle}@example.com`, handle, password: PASSWORD };
    const client = { ip: randomIp(), userAgent: "test" };
    await auth.signup(body, client);
    const attempt = (password: string) =>
      auth.login({ email: body.email, password }, client).then(
        () => 200,
        (err: { status: number; headers?: Record<string, string> }) =>
          err.status === 429 ? `429:${err.headers?.["retry-after"]}` : err.status,
      );

    for (let i = 0; i < 5; i++) expect(await attempt("wrong password!")).toBe(401);
    expect(await attempt(PASSWORD)).toBe("429:1");
    now += 1000;
    expect(await attempt("wrong password!")).toBe(401);
    expect(await attempt("wrong password!")).toBe("429:2");
    now += 1999;
    expect(await attempt(PASSWORD)).toBe("429:1");
    now += 1;
    expect(await attempt(PASSWORD)).toBe(200);
    expect(await throttleRow(`login:${body.email}`)).toBeNull();

    for (let i = 0; i < 6; i++) await attempt("wrong password!");
    expect(await attempt("wrong password!")).toMatch(/^429:/);
    now += FAILURE_MEMORY_MS;
    expect(await attempt("wrong password!")).toBe(401);
    expect(await throttleRow(`login:${body.email}`)).toEqual({ failures: 1 });
  });

  it("racing attempts cannot share one slot", async () => {
    const repo = new ThrottleRepo(database(env.DB));
    const key = `login:${uniqueName()}@example.com`;
    const now = 1_700_000_000_000;
    for (let i = 0; i < 5; i++) expect(await repo.claimLogin(key, policy, now)).toEqual({ allowed: true });
    const later = now + 1000;
    const claims = await Promise.all(Array.from({ length: 8 }, () => repo.claimLogin(key, policy, later)));
    expect(claims.filter((c) => c.allowed)).toHaveLength(1);
    expect(claims.filter((c) => !c.allowed)).toEqual(Array(7).fill({ allowed: false, retryAfterMs: 2000 }));
  });

  it("the cron deletes rows quiet for an hour and keeps the rest", async () => {
    const repo = new ThrottleRepo(database(env.DB));
    const now = Date.now();
    const [old, recent] = [`login:${uniqueName()}@example.com`, `login:${uniqueName()}@example.com`];
    await repo.claimLogin(old, policy, now - FAILURE_MEMORY_MS - 1);
    await repo.claimLogin(recent, policy, now - 60_000);
    await sweep(services(env), now);
    expect(await throttleRow(old)).toBeNull();
    expect(await throttleRow(recent)).toEqual({ failures: 1 });
  });
});

describe("signup: 10 per client IP (/64) per hour, whatever the answer (hole 8)", () => {
  afterEach(() => vi.restoreAllMocks());

  const signup = (ip: string, email = `${uniqueName()}@example.com`) =>
    callJson<ErrorBody>("/api/auth/signup", {
      method: "POST",
      json: { email, password: PASSWORD, handle: uniqueName() },
      headers: { "cf-connecting-ip": ip },
    });

  it("the 11th from one /64 is a 429 for a free address and a taken one alike; other networks are unaffected", async () => {
    const taken = await signUp();
    const b = crypto.getRandomValues(new Uint16Array(2));
    const net = `2001:db8:${b[0]!.toString(16)}:${b[1]!.toString(16)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await signup(`${net}::${i + 1}`, i % 3 === 0 ? taken.email : undefined)).status);
    }
    expect(statuses).toEqual([409, 201, 201, 409, 201, 201, 409, 201, 201, 409]);
    for (const email of [taken.email, undefined]) {
      const refused = await signup(`${net}:ffff::9`, email);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe("rate_limited");
      const retryAfter = Number(refused.res.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(SIGNUP_WINDOW_MS / 1000 - 120);
      expect(retryAfter).toBeLessThanOrEqual(SIGNUP_WINDOW_MS / 1000);
    }
    expect((await signup(randomIp())).status).toBe(201);
  });

  it("an invalid signup (password policy) does not use up the budget", async () => {
    const ip = randomIp();
    for (let i = 0; i < 12; i++) {
      const res = await callJson("/api/auth/signup", {
        method: "POST",
        json: { email: `${uniqueName()}@example.com`, password: "aaaaaaaaaaaa", handle: uniqueName() },
        headers: { "cf-connecting-ip": ip },
      });
      expect(res.status).toBe(400);
    }
    expect((await signup(ip)).status).toBe(201);
  });

  it("every email_taken answer leaves a structured log line (network, address fingerprint, count), never the address", async () => {
    const taken = await signUp();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const ip = randomIp();
    expect((await signup(ip, taken.email)).status).toBe(409);
    const lines = warn.mock.calls.map((args) => String(args[0])).filter((l) => l.includes("email_taken"));
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toEqual({
      level: "warn",
      at: expect.any(String),
      msg: "signup refused: email taken",
      requestId: expect.any(String),
      event: "auth.signup.email_taken",
      ip,
      email: expect.stringMatching(/^[0-9a-f]{16}$/),
      signupsThisHour: 1,
    });
    expect(lines[0]).not.toContain(taken.email);
    // A taken handle is not the enumeration signal and is not logged as one.
    await call("/api/auth/signup", {
      method: "POST",
      json: { email: `${uniqueName()}@example.com`, password: PASSWORD, handle: taken.handle },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(warn.mock.calls.filter((args) => String(args[0]).includes("email_taken"))).toHaveLength(1);
  });
});
