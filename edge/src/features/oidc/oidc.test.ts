/**
 * Sign in with Google, against a real OpenID Provider (oidc-provider on loopback, its login
 * and consent forms filled over HTTP) and, for the ID-token checks, an issuer that signs
 * wrong tokens on purpose (edge/test/crafted-issuer.ts): real discovery, JWKS, PKCE and
 * crypto on both; nothing of oauth4webapi is replaced.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  callJson,
  ORIGIN,
  PASSWORD,
  randomIp,
  refresh,
  refreshCookie,
  signUp,
  uniqueName,
} from "../../../test/auth.ts";
import { call } from "../../../test/http.ts";
import { suspendThroughModeration } from "../../../test/moderation.ts";
import {
  callback,
  callWith,
  cookieHeader,
  craftedEnv,
  setCookieLine,
  setCookies,
  startSignIn,
  throughCrafted,
  throughProvider,
} from "../../../test/oidc.ts";
import { app } from "../../app.ts";

const login = (prefix = "oidc") => uniqueName(prefix).replace(/_/g, ".");
const locationOf = (res: Response) => new URL(res.headers.get("location") ?? "", ORIGIN);

/** Start → provider (login + consent) → callback: the callback's response and the cookies it set. */
async function signInThroughProvider(
  name: string,
  opts: { ip?: string; query?: string; cookie?: string } = {},
) {
  const ip = opts.ip ?? randomIp();
  const started = await startSignIn(ip, opts.query ?? "", opts.cookie ? { cookie: opts.cookie } : {});
  expect(started.res.status).toBe(302);
  const back = await throughProvider(started.location.href, name);
  const cookie = [started.stateCookie, opts.cookie].filter(Boolean).join("; ");
  const res = await callback(back, ip, cookie);
  return { res, back, ip, started, cookies: setCookies(res) };
}

const pendingCookie = (cookies: Record<string, string>) => `sl_oidc_pending=${cookies.sl_oidc_pending}`;

function expectRefused(res: Response, code: string, page = "/login") {
  expect(res.status).toBe(302);
  const to = locationOf(res);
  expect(to.pathname).toBe(page);
  expect(to.searchParams.get(page === "/login" ? "error" : "oidc_error")).toBe(code);
  // Never a session, never a pending sign-in.
  expect(refreshCookie(res)).toBeNull();
  expect(setCookies(res).sl_oidc_pending ?? "").toBe("");
}

async function userByEmail(email: string) {
  return env.DB.prepare("select id, handle, password_hash, email_verified_at from users where email = ?")
    .bind(email)
    .first<{ id: string; handle: string; password_hash: string; email_verified_at: number | null }>();
}

describe("GET /api/auth/providers", () => {
  it("lists Google when its client is configured, nothing when it is not", async () => {
    const { status, body } = await callJson("/api/auth/providers");
    expect(status).toBe(200);
    expect(body).toEqual({ providers: [{ id: "google", name: "Google" }] });
    const bare = { ...env, OIDC_GOOGLE_CLIENT_ID: "", OIDC_GOOGLE_CLIENT_SECRET: "" } as Env;
    const res = await callWith(bare, "/api/auth/providers");
    expect(await res.json()).toEqual({ providers: [] });
  });
});

describe("GET /api/auth/oidc/google/start", () => {
  it("redirects to the issuer with PKCE (S256), state and nonce, kept in a sealed, HttpOnly, Lax, 10-minute cookie", async () => {
    const { res, location } = await startSignIn(randomIp(), "?next=%2Fupload");
    expect(res.status).toBe(302);
    expect(`${location.origin}`).toBe(env.OIDC_GOOGLE_ISSUER);
    const q = location.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe(env.OIDC_GOOGLE_CLIENT_ID);
    expect(q.get("redirect_uri")).toBe(`${ORIGIN}/api/auth/oidc/google/callback`);
    expect(q.get("scope")?.split(" ")).toEqual(expect.arrayContaining(["openid", "email", "profile"]));
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("state")).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(q.get("nonce")).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(q.get("nonce")).not.toBe(q.get("state"));

    const line = setCookieLine(res, "sl_oidc_state")!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).toMatch(/Path=\/api\/auth\/oidc/);
    expect(line).toMatch(/Max-Age=600/);
    // Encrypted: neither the state nor the nonce (nor the verifier) can be read from it.
    const value = setCookies(res).sl_oidc_state!;
    expect(value.split(".")).toHaveLength(5);
    expect(value).not.toContain(q.get("state"));
    expect(value).not.toContain(q.get("nonce"));
  });

  it("marks the cookie Secure over https", async () => {
    const res = await app.fetch(
      new Request("https://streamline.example/api/auth/oidc/google/start", {
        headers: { "cf-connecting-ip": randomIp() },
      }),
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(302);
    expect(setCookieLine(res, "sl_oidc_state")).toMatch(/; Secure/);
    expect(new URL(res.headers.get("location")!).searchParams.get("redirect_uri")).toBe(
      "https://streamline.example/api/auth/oidc/google/callback",
    );
  });

  it("refuses readably: an unconfigured provider, linking while signed out, an unknown provider (404)", async () => {
    const bare = { ...env, OIDC_GOOGLE_CLIENT_ID: "" } as Env;
    expectRefused((await startSignIn(randomIp(), "", { env: bare })).res, "oidc_not_configured");
    expectRefused((await startSignIn(randomIp(), "?intent=link")).res, "oidc_signed_out", "/account");
    const unknown = await callJson<{ error: { code: string; message: string } }>(
      "/api/auth/oidc/facebook/start",
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe("provider not found");
  });

  it("is rate limited per client IP (a refusal page, not a JSON 429)", async () => {
    const ip = randomIp();
    let refusal: Response | null = null;
    for (let i = 0; i <= 41 && !refusal; i++) {
      const { res } = await startSignIn(ip);
      if (locationOf(res).searchParams.get("error")) refusal = res;
    }
    expect(refusal).not.toBeNull();
    expectRefused(refusal!, "oidc_rate_limited");
  });
});

describe("callback refusals: never a session, always a readable page", () => {
  it("no attempt cookie, a tampered one, or another attempt's state → oidc_state", async () => {
    const ip = randomIp();
    const a = await startSignIn(ip);
    const back = await throughProvider(a.location.href, login());
    expectRefused(await callback(back, ip, ""), "oidc_state");
    expectRefused(await callback(back, ip, `${a.stateCookie.slice(0, -4)}AAAA`), "oidc_state");
    const b = await startSignIn(ip);
    expectRefused(await callback(back, ip, b.stateCookie), "oidc_state");
    // The same callback with its own cookie works: the refusals above were about the state.
    const ok = await callback(back, ip, a.stateCookie);
    expect(locationOf(ok).pathname).toBe("/welcome");
  });

  it("the callback clears the attempt cookie, and a replayed code is refused by the issuer", async () => {
    const first = await signInThroughProvider(login());
    expect(locationOf(first.res).pathname).toBe("/welcome");
    expect(first.cookies.sl_oidc_state).toBe("");
    // An attacker who kept the cookie and the callback URL replays both: the code is spent.
    const replay = await callback(first.back, first.ip, first.started.stateCookie);
    expectRefused(replay, "oidc_failed");
  });

  it.each([
    ["wrong_nonce", "oidc_failed"],
    ["wrong_aud", "oidc_failed"],
    ["expired", "oidc_failed"],
    ["wrong_iss", "oidc_failed"],
    ["foreign_key", "oidc_failed"],
    ["wrong_azp", "oidc_failed"],
    ["error", "oidc_denied"],
  ])("an ID token or answer with %s → %s", async (scenario, code) => {
    const ip = randomIp();
    const crafted = craftedEnv();
    const started = await startSignIn(ip, "", { env: crafted });
    expect(started.location.origin).toBe(env.OIDC_CRAFTED_ISSUER);
    const back = await throughCrafted(started.location, { scenario, sub: uniqueName("crafted") });
    expectRefused(await callback(back, ip, started.stateCookie, crafted), code);
  });

  it("the crafted issuer's correct token is accepted (so the refusals above are the checks at work)", async () => {
    const ip = randomIp();
    const crafted = craftedEnv();
    const started = await startSignIn(ip, "", { env: crafted });
    const sub = uniqueName("crafted");
    const back = await throughCrafted(started.location, { scenario: "ok", sub, email: `${sub}@example.com` });
    const res = await callback(back, ip, started.stateCookie, crafted);
    expect(locationOf(res).pathname).toBe("/welcome");
    expect(setCookies(res).sl_oidc_pending).toBeTruthy();
  });
});

describe("first sign-in: nothing is created until a handle is picked", () => {
  it("new identity → /welcome → complete with a handle → user + channel + identity, signed in; next time straight in", async () => {
    const name = login("ana.lima");
    const email = `${name}@example.com`;
    const first = await signInThroughProvider(name, { query: "?next=%2Fupload" });
    expect(locationOf(first.res).pathname).toBe("/welcome");
    expect(refreshCookie(first.res)).toBeNull();
    expect(await userByEmail(email)).toBeNull();

    const cookie = pendingCookie(first.cookies);
    const pending = await callJson<{
      kind: string;
      email: string;
      emailVerified: boolean;
      name: string;
      suggestedHandle: string;
    }>("/api/auth/oidc/pending", { headers: { cookie } });
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({
      kind: "signup",
      email,
      emailVerified: true,
      provider: { id: "google", name: "Google" },
    });
    expect(pending.body.name).toMatch(/^Ana Lima/);
    expect(pending.body.suggestedHandle).toMatch(/^ana-lima-/);

    const post = (json: unknown, headers: Record<string, string> = { origin: ORIGIN }) =>
      callJson<{
        user: { id: string; handle: string; emailVerified: boolean };
        next: string;
        error?: { code: string };
      }>("/api/auth/oidc/complete", {
        method: "POST",
        json,
        headers: { cookie, "cf-connecting-ip": first.ip, ...headers },
      });
    expect((await post({ handle: pending.body.suggestedHandle }, {})).status).toBe(403);
    const taken = await signUp();
    expect((await post({ handle: taken.handle })).body.error?.code).toBe("handle_taken");
    expect((await post({ handle: "x" })).status).toBe(400);

    const done = await post({ handle: pending.body.suggestedHandle });
    expect(done.status).toBe(201);
    expect(done.body.next).toBe("/upload");
    expect(done.body.user).toMatchObject({ handle: pending.body.suggestedHandle, emailVerified: true });
    expect(refreshCookie(done.res)).not.toBeNull();
    expect(setCookies(done.res).sl_oidc_pending).toBe("");

    const row = await userByEmail(email);
    expect(row?.email_verified_at).not.toBeNull();
    const channel = await env.DB.prepare("select display_name from channels where user_id = ?")
      .bind(row!.id)
      .first();
    expect(channel).toMatchObject({ display_name: pending.body.name });
    const identity = await env.DB.prepare(
      "select provider, subject, email from user_identities where user_id = ?",
    )
      .bind(row!.id)
      .first();
    expect(identity).toEqual({ provider: "google", subject: name, email });

    // The same pending cookie again: the identity is taken now.
    expect((await post({ handle: `${pending.body.suggestedHandle}-2` })).body.error?.code).toBe(
      "identity_taken",
    );

    // No password: a password login fails like a wrong one.
    const pw = await callJson("/api/auth/login", {
      method: "POST",
      json: { email, password: PASSWORD },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(pw.status).toBe(401);

    // Second visit: straight in, same account.
    const again = await signInThroughProvider(name, { query: "?next=%2Fstudio" });
    const to = locationOf(again.res);
    expect(to.pathname).toBe("/login");
    expect(Object.fromEntries(to.searchParams)).toEqual({ oidc: "signed-in", next: "/studio" });
    const session = await refresh(refreshCookie(again.res));
    expect(session.body.user.id).toBe(row!.id);
  });

  it("an address the provider did not verify is not verified here either", async () => {
    const name = login("unverified");
    const first = await signInThroughProvider(name);
    const cookie = pendingCookie(first.cookies);
    const done = await callJson<{ user: { emailVerified: boolean } }>("/api/auth/oidc/complete", {
      method: "POST",
      json: { handle: name.replace(/\./g, "-").slice(0, 30) },
      headers: { cookie, origin: ORIGIN, "cf-connecting-ip": first.ip },
    });
    expect(done.status).toBe(201);
    expect(done.body.user.emailVerified).toBe(false);
  });

  it("without a pending cookie there is nothing to complete, link or describe (404)", async () => {
    const headers = { origin: ORIGIN, "cf-connecting-ip": randomIp() };
    expect((await callJson("/api/auth/oidc/pending")).status).toBe(404);
    const complete = await callJson<{ error: { code: string } }>("/api/auth/oidc/complete", {
      method: "POST",
      json: { handle: "abc" },
      headers,
    });
    expect(complete.status).toBe(404);
    expect(complete.body.error.code).toBe("no_pending_sign_in");
    expect(
      (await callJson("/api/auth/oidc/link", { method: "POST", json: { password: "x" }, headers })).status,
    ).toBe(404);
  });
});

describe("an account with the same address", () => {
  async function verifiedUser() {
    const user = await signUp();
    await env.DB.prepare("update users set email_verified_at = ? where id = ?")
      .bind(Date.now(), user.id)
      .run();
    return user;
  }

  it("verified: linked only after its password is proven (a wrong one is refused), then signs in directly", async () => {
    const user = await verifiedUser();
    // The test provider's address for a login name is `<name>@example.com`, like signUp's.
    const first = await signInThroughProvider(user.handle);
    expect(locationOf(first.res).pathname).toBe("/link-account");
    expect(refreshCookie(first.res)).toBeNull();
    const cookie = pendingCookie(first.cookies);
    const pending = await callJson("/api/auth/oidc/pending", { headers: { cookie } });
    expect(pending.body).toMatchObject({ kind: "link", email: user.email, suggestedHandle: null });

    const link = (password: string) =>
      callJson<{ user: { id: string }; error?: { code: string } }>("/api/auth/oidc/link", {
        method: "POST",
        json: { password },
        headers: { cookie, origin: ORIGIN, "cf-connecting-ip": first.ip },
      });
    const wrong = await link("not the password at all");
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe("invalid_credentials");
    expect(refreshCookie(wrong.res)).toBeNull();
    const count = () =>
      env.DB.prepare("select count(*) as n from user_identities where user_id = ?")
        .bind(user.id)
        .first<{ n: number }>();
    expect((await count())?.n).toBe(0);

    const right = await link(PASSWORD);
    expect(right.status).toBe(200);
    expect(right.body.user.id).toBe(user.id);
    expect(refreshCookie(right.res)).not.toBeNull();
    expect((await count())?.n).toBe(1);

    const again = await signInThroughProvider(user.handle);
    expect(locationOf(again.res).searchParams.get("oidc")).toBe("signed-in");
    expect((await refresh(refreshCookie(again.res))).body.user.id).toBe(user.id);
  });

  it("not verified: refused with a sentence to sign in with the password and link from settings", async () => {
    const user = await signUp();
    const first = await signInThroughProvider(user.handle);
    expectRefused(first.res, "oidc_unverified_account");
    expect(await userByEmail(user.email)).toMatchObject({ id: user.id });
  });
});

describe("a suspended account", () => {
  it("is refused with a page that says so: through its linked identity, and as the holder of the address", async () => {
    // Linked: signs in straight away until a moderator suspends it.
    const linked = await signUp();
    await env.DB.prepare("update users set email_verified_at = ? where id = ?")
      .bind(Date.now(), linked.id)
      .run();
    await env.DB.prepare(
      "insert into user_identities (provider, subject, user_id, email) values (?, ?, ?, ?)",
    )
      .bind("google", linked.handle, linked.id, linked.email)
      .run();
    const before = await signInThroughProvider(linked.handle);
    expect(locationOf(before.res).searchParams.get("oidc")).toBe("signed-in");
    expect(refreshCookie(before.res)).not.toBeNull();

    await suspendThroughModeration(linked, "Spam links in every comment");
    const after = await signInThroughProvider(linked.handle, { query: "?next=%2Fstudio" });
    expectRefused(after.res, "oidc_suspended");
    expect(locationOf(after.res).searchParams.get("next")).toBe("/studio");
    // The session the first sign-in made was revoked with the suspension.
    const revoked = await call("/api/auth/refresh", {
      method: "POST",
      headers: { origin: ORIGIN, cookie: refreshCookie(before.res)! },
    });
    expect(revoked.status).toBe(401);

    // Not linked yet, but the address belongs to a suspended account: no offer to link it.
    const holder = await signUp();
    await env.DB.prepare("update users set email_verified_at = ? where id = ?")
      .bind(Date.now(), holder.id)
      .run();
    await suspendThroughModeration(holder, "Impersonation");
    const offered = await signInThroughProvider(holder.handle);
    expectRefused(offered.res, "oidc_suspended");
  });
});

describe("linked accounts in settings", () => {
  const identities = (auth: Record<string, string>) =>
    callJson<{ identities: { provider: string; email: string }[]; hasPassword: boolean }>(
      "/api/me/identities",
      {
        headers: auth,
      },
    );
  const unlink = (auth: Record<string, string>, provider = "google") =>
    callJson<{ error: { code: string; message: string } }>(`/api/me/identities/${provider}`, {
      method: "DELETE",
      headers: { ...auth, "cf-connecting-ip": randomIp() },
    });

  it("links from settings (the signed-in browser's session), lists it, and unlinks it since a password exists", async () => {
    const user = await signUp();
    const name = login("settings");
    const linked = await signInThroughProvider(name, { query: "?intent=link", cookie: user.cookie });
    expect(locationOf(linked.res).pathname).toBe("/account");
    expect(locationOf(linked.res).searchParams.get("linked")).toBe("google");
    expect(refreshCookie(linked.res)).toBeNull();

    const listed = await identities(user.auth);
    expect(listed.body).toMatchObject({
      hasPassword: true,
      identities: [{ provider: "google", email: `${name}@example.com` }],
    });

    // Someone else trying to link the same Google account is refused.
    const other = await signUp();
    const stolen = await signInThroughProvider(name, { query: "?intent=link", cookie: other.cookie });
    expectRefused(stolen.res, "oidc_identity_taken", "/account");

    expect((await unlink(user.auth)).status).toBe(204);
    expect((await identities(user.auth)).body.identities).toEqual([]);
    expect((await unlink(user.auth)).status).toBe(404);
    expect((await unlink(user.auth, "facebook")).status).toBe(404);
  });

  it("an account without a password cannot unlink its only way in (409 password_required)", async () => {
    const name = login("nopass");
    const first = await signInThroughProvider(name);
    const done = await callJson<{ accessToken: string }>("/api/auth/oidc/complete", {
      method: "POST",
      json: { handle: name.replace(/\./g, "-").slice(0, 30) },
      headers: { cookie: pendingCookie(first.cookies), origin: ORIGIN, "cf-connecting-ip": first.ip },
    });
    const auth = { authorization: `Bearer ${done.body.accessToken}` };
    expect((await identities(auth)).body.hasPassword).toBe(false);
    const refused = await unlink(auth);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("password_required");
    expect(refused.body.error.message).toMatch(/set a password/);
    expect((await identities(auth)).body.identities).toHaveLength(1);
  });

  it("needs a signed-in caller", async () => {
    expect((await callJson("/api/me/identities")).status).toBe(401);
    expect(cookieHeader({ a: "1", b: "" })).toBe("a=1");
  });
});
