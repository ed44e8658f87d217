import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { uniqueName } from "../../../test/auth.ts";
import { TEST_SECRETS } from "../../../test/secrets.ts";
import { database } from "../../db/client.ts";
import { type PasswordHasher, pbkdf2Hasher } from "../../lib/passwords.ts";
import { AuthService } from "./auth.service.ts";
import { SessionsRepo } from "./sessions.repo.ts";
import { UsersRepo } from "./users.repo.ts";

const client = { ip: "10.0.0.1", userAgent: "test" };
const config = { JWT_SECRET: TEST_SECRETS.JWT_SECRET, ACCESS_TOKEN_TTL_SECONDS: 900, REFRESH_TTL_DAYS: 30 };

/** Wraps a real hasher and records which PBKDF2 path each call took. */
function spyHasher(inner: PasswordHasher = pbkdf2Hasher()) {
  const calls: string[] = [];
  const hasher: PasswordHasher = {
    hash(p) {
      calls.push("hash");
      return inner.hash(p);
    },
    verify(s, p) {
      calls.push("verify");
      return inner.verify(s, p);
    },
    verifyDummy(p) {
      calls.push("verifyDummy");
      return inner.verifyDummy(p);
    },
  };
  return { hasher, calls };
}

function service(passwords: PasswordHasher, now?: () => number) {
  const db = database(env.DB);
  return new AuthService({
    users: new UsersRepo(db),
    sessions: new SessionsRepo(db),
    passwords,
    config,
    ...(now ? { now } : {}),
  });
}

const account = () => {
  const handle = uniqueName();
  return { email: `${handle}@example.com`, handle, password: "correct horse battery staple" };
};

describe("AuthService", () => {
  it("runs exactly one full PBKDF2 derivation for an unknown email, as for a wrong password", async () => {
    const body = account();
    await service(pbkdf2Hasher()).signup(body, client);
    const { hasher, calls } = spyHasher();
    const auth = service(hasher);

    await expect(
      auth.login({ email: body.email, password: "wrong password!" }, client),
    ).rejects.toMatchObject({
      status: 401,
      code: "invalid_credentials",
    });
    expect(calls).toEqual(["verify"]);
    calls.length = 0;
    await expect(
      auth.login({ email: `${uniqueName()}@example.com`, password: "wrong password!" }, client),
    ).rejects.toMatchObject({
      status: 401,
      code: "invalid_credentials",
      message: "email or password is incorrect",
    });
    expect(calls).toEqual(["verifyDummy"]);
  });

  it("upgrades a hash made with fewer iterations on the next successful login", async () => {
    const body = account();
    const issued = await service(pbkdf2Hasher(20_000)).signup(body, client);
    expect(issued.user.passwordHash).toMatch(/^pbkdf2-sha256\$20000\$/);
    await service(pbkdf2Hasher(100_000)).login({ email: body.email, password: body.password }, client);
    const user = await new UsersRepo(database(env.DB)).find(issued.user.id);
    expect(user?.passwordHash).toMatch(/^pbkdf2-sha256\$100000\$/);
    await expect(
      service(pbkdf2Hasher()).login({ email: body.email, password: body.password }, client),
    ).resolves.toBeTruthy();
  });

  it("two concurrent refreshes with one token both get the same successor; one live token remains", async () => {
    const auth = service(pbkdf2Hasher());
    const issued = await auth.signup(account(), client);
    const [a, b] = await Promise.all([
      auth.refresh(issued.refreshToken, client),
      auth.refresh(issued.refreshToken, client),
    ]);
    expect(a.sessionId).toBe(issued.sessionId);
    expect(b.sessionId).toBe(issued.sessionId);
    expect(b.refreshToken).toBe(a.refreshToken);
    expect(a.refreshToken).not.toBe(issued.refreshToken);
    expect(a.accessToken).toBeTruthy();
    expect(b.accessToken).toBeTruthy();
    const live = await env.DB.prepare(
      "select count(*) as n from refresh_tokens where session_id = ? and rotated_at is null",
    )
      .bind(issued.sessionId)
      .first<{ n: number }>();
    expect(live!.n).toBe(1);
    const session = await new SessionsRepo(database(env.DB)).find(issued.sessionId);
    expect(session?.revokedAt).toBeNull();
    await expect(auth.refresh(a.refreshToken, client)).resolves.toMatchObject({
      sessionId: issued.sessionId,
    });
  });

  it("a replay of the rotated token after the grace window revokes the family", async () => {
    let clock = Date.now();
    const auth = service(pbkdf2Hasher(), () => clock);
    const issued = await auth.signup(account(), client);
    const next = await auth.refresh(issued.refreshToken, client);
    clock += 9_000; // inside the 10 s window: the same successor again
    expect((await auth.refresh(issued.refreshToken, client)).refreshToken).toBe(next.refreshToken);
    clock += 2_000; // 11 s after the rotation
    await expect(auth.refresh(issued.refreshToken, client)).rejects.toMatchObject({
      status: 401,
      code: "refresh_token_reused",
    });
    const session = await new SessionsRepo(database(env.DB)).find(issued.sessionId);
    expect(session?.revokedReason).toBe("refresh_reuse");
    await expect(auth.refresh(next.refreshToken, client)).rejects.toMatchObject({ code: "session_revoked" });
  });

  it("a token older than the just-rotated one is reuse even inside the window", async () => {
    const auth = service(pbkdf2Hasher());
    const issued = await auth.signup(account(), client);
    const second = await auth.refresh(issued.refreshToken, client);
    await auth.refresh(second.refreshToken, client);
    await expect(auth.refresh(issued.refreshToken, client)).rejects.toMatchObject({
      code: "refresh_token_reused",
    });
    const session = await new SessionsRepo(database(env.DB)).find(issued.sessionId);
    expect(session?.revokedReason).toBe("refresh_reuse");
  });

  it("the grace window is configurable (0 turns it off)", async () => {
    const db = database(env.DB);
    const auth = new AuthService({
      users: new UsersRepo(db),
      sessions: new SessionsRepo(db),
      passwords: pbkdf2Hasher(),
      config: { ...config, REFRESH_GRACE_SECONDS: 0 },
      now: (() => {
        let t = Date.now();
        return () => (t += 1);
      })(),
    });
    const issued = await auth.signup(account(), client);
    await auth.refresh(issued.refreshToken, client);
    await expect(auth.refresh(issued.refreshToken, client)).rejects.toMatchObject({
      code: "refresh_token_reused",
    });
  });

  it("revokeSession only reaches the caller's own live sessions", async () => {
    const auth = service(pbkdf2Hasher());
    const alice = await auth.signup(account(), client);
    const bob = await auth.signup(account(), client);
    await expect(auth.revokeSession(bob.user.id, alice.sessionId)).rejects.toMatchObject({ status: 404 });
    expect((await new SessionsRepo(database(env.DB)).find(alice.sessionId))?.revokedAt).toBeNull();
    await auth.revokeSession(alice.user.id, alice.sessionId);
    await expect(auth.revokeSession(alice.user.id, alice.sessionId)).rejects.toMatchObject({ status: 404 });
  });
});
