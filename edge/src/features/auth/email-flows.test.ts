/**
 * Verification and password reset against the real Worker, with mail delivered over SMTP
 * to a real server on loopback (edge/test/mail-setup.ts) and read back from it.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bearer, callJson, ORIGIN, randomIp, refresh, signUp } from "../../../test/auth.ts";
import { app } from "../../app.ts";
import { caughtMails, mailsTo } from "../mail/test-sink.ts";
import { hashRefreshToken } from "./auth.service.ts";

/** A request straight into the app with our own ExecutionContext, so background mail can be awaited. */
async function post(path: string, json: unknown, headers: Record<string, string> = {}, extraEnv = {}) {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": randomIp(), ...headers },
      body: JSON.stringify(json),
    }),
    { ...env, ...extraEnv },
    ctx,
  );
  const started = Date.now();
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, backgroundMs: Date.now() - started };
}

const tokenIn = (text: string, page: string) => {
  const m = new RegExp(`${ORIGIN}/${page}\\?token=([A-Za-z0-9_-]+)`).exec(text);
  if (!m) throw new Error(`no ${page} link in: ${text}`);
  return m[1]!;
};

describe("email verification", () => {
  it("signup mails a link (text + HTML); it verifies once, then token_used; /api/me says emailVerified", async () => {
    const user = await signUp();
    const [mail] = await caughtMails(user.email, 1);
    expect(mail!.subject).toBe("Confirm your email address");
    const token = tokenIn(mail!.text, "verify-email");
    expect(mail!.html).toContain(`${ORIGIN}/verify-email?token=${token}`);
    // Only the hash is stored.
    const stored = await env.DB.prepare(
      "select token_hash, purpose, expires_at - created_at as ttl from email_tokens where user_id = ?",
    )
      .bind(user.id)
      .first<{ token_hash: string; purpose: string; ttl: number }>();
    expect(stored).toEqual({
      token_hash: await hashRefreshToken(token),
      purpose: "verify_email",
      ttl: 48 * 3600_000,
    });

    const before = await callJson<{ user: { emailVerified: boolean } }>("/api/me", { headers: user.auth });
    expect(before.body.user.emailVerified).toBe(false);
    expect(await post("/api/auth/email/verify", { token })).toMatchObject({
      status: 200,
      body: { emailVerified: true },
    });
    const after = await callJson<{ user: { emailVerified: boolean } }>("/api/me", { headers: user.auth });
    expect(after.body.user.emailVerified).toBe(true);
    expect(await post("/api/auth/email/verify", { token })).toMatchObject({
      status: 400,
      body: { error: { code: "token_used" } },
    });
  });

  it("an expired or unknown link is refused with its code; a reset token is no verification token", async () => {
    const user = await signUp();
    const [mail] = await caughtMails(user.email, 1);
    const token = tokenIn(mail!.text, "verify-email");
    await env.DB.prepare("update email_tokens set expires_at = ? where user_id = ?")
      .bind(Date.now() - 1, user.id)
      .run();
    expect((await post("/api/auth/email/verify", { token })).body.error.code).toBe("token_expired");
    expect((await post("/api/auth/email/verify", { token: "A".repeat(43) })).body.error.code).toBe(
      "token_invalid",
    );
    expect((await post("/api/auth/email/verify", { token: "<script>" })).status).toBe(400);
  });

  it("resend (signed in) mails a fresh link; anonymous → 401", async () => {
    const user = await signUp();
    await caughtMails(user.email, 1);
    const res = await post("/api/auth/email/resend", {}, user.auth);
    expect(res).toMatchObject({ status: 202, body: { status: "accepted", delivery: "smtp" } });
    const mails = await caughtMails(user.email, 2);
    expect(tokenIn(mails[0]!.text, "verify-email")).not.toBe(tokenIn(mails[1]!.text, "verify-email"));
    expect((await post("/api/auth/email/resend", {})).status).toBe(401);
  });
});

describe("resend for a verified address", () => {
  it("answers 409 already_verified and sends nothing", async () => {
    const user = await signUp();
    const [mail] = await caughtMails(user.email, 1);
    expect(
      (await post("/api/auth/email/verify", { token: tokenIn(mail!.text, "verify-email") })).status,
    ).toBe(200);
    const res = await post("/api/auth/email/resend", {}, user.auth);
    expect(res).toMatchObject({ status: 409, body: { error: { code: "already_verified" } } });
    // waitOnExecutionContext: nothing was left running in the background either.
    expect(await mailsTo(user.email)).toHaveLength(1);
  });
});

describe("password reset", () => {
  it("forgot answers the same 202 for an unknown address and sends nothing", async () => {
    const unknown = `nobody-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const user = await signUp();
    const a = await post("/api/auth/password/forgot", { email: unknown });
    const b = await post("/api/auth/password/forgot", { email: user.email });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(a.body).toEqual(b.body);
    // waitOnExecutionContext: the background lookup for the unknown address has finished.
    expect(await mailsTo(unknown)).toEqual([]);
    expect((await caughtMails(user.email, 2))[0]!.subject).toBe("Reset your password");
  });

  it("reset: new password works, old does not, every session is revoked, the link works once", async () => {
    const user = await signUp();
    const other = await callJson<{ accessToken: string }>("/api/auth/login", {
      method: "POST",
      json: { email: user.email, password: user.password },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(other.status).toBe(200);
    await post("/api/auth/password/forgot", { email: user.email });
    const mail = (await caughtMails(user.email, 2)).find((m) => m.subject === "Reset your password")!;
    const token = tokenIn(mail.text, "reset-password");

    // A weak password is refused without spending the link.
    expect((await post("/api/auth/password/reset", { token, password: "1234567890" })).body.error.code).toBe(
      "validation_failed",
    );
    const newPassword = "a brand new long passphrase";
    expect((await post("/api/auth/password/reset", { token, password: newPassword })).status).toBe(204);
    expect((await post("/api/auth/password/reset", { token, password: newPassword })).body.error.code).toBe(
      "token_used",
    );

    expect((await callJson("/api/me", { headers: user.auth })).status).toBe(401);
    expect((await callJson("/api/me", { headers: bearer(other.body.accessToken) })).status).toBe(401);
    expect((await refresh(user.cookie)).status).toBe(401);
    const login = (password: string) =>
      callJson("/api/auth/login", {
        method: "POST",
        json: { email: user.email, password },
        headers: { "cf-connecting-ip": randomIp() },
      });
    expect((await login(user.password)).status).toBe(401);
    expect((await login(newPassword)).status).toBe(200);
  });

  it("an expired reset link is refused (token_expired) and the password stays", async () => {
    const user = await signUp();
    await post("/api/auth/password/forgot", { email: user.email });
    const mail = (await caughtMails(user.email, 2)).find((m) => m.subject === "Reset your password")!;
    const token = tokenIn(mail.text, "reset-password");
    const row = await env.DB.prepare(
      "select expires_at - created_at as ttl from email_tokens where token_hash = ?",
    )
      .bind(await hashRefreshToken(token))
      .first<{ ttl: number }>();
    expect(row!.ttl).toBe(30 * 60_000);
    await env.DB.prepare("update email_tokens set expires_at = ? where token_hash = ?")
      .bind(Date.now() - 1, await hashRefreshToken(token))
      .run();
    expect(
      (await post("/api/auth/password/reset", { token, password: "another long passphrase" })).body.error
        .code,
    ).toBe("token_expired");
    expect((await callJson("/api/me", { headers: user.auth })).status).toBe(200);
  });

  it("without SMTP_URL the answer says the mail only reaches the log", async () => {
    const res = await post("/api/auth/password/forgot", { email: "x@example.com" }, {}, { SMTP_URL: "" });
    expect(res.body).toMatchObject({ status: "accepted", delivery: "log" });
  });
});
