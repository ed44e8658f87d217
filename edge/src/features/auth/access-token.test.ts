import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { ACCESS_AUDIENCE, ACCESS_ISSUER, signAccessToken, verifyAccessToken } from "./access-token.ts";

const SECRET = "access-secret-for-tests-0123456789";
const subject = { userId: "u_aaaaaaaaaaaaaaaa", sessionId: "s_aaaaaaaaaaaaaaaaaaaa" };

const b64url = (s: string) => btoa(s).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
const unb64url = (s: string) => atob(s.replace(/-/g, "+").replace(/_/g, "/"));

describe("access tokens", () => {
  it("carry sub, sid, jti and live at most 15 minutes", async () => {
    const now = Date.UTC(2026, 0, 1);
    const { token, expiresAt } = await signAccessToken(SECRET, subject, 3600, now);
    expect(expiresAt.getTime()).toBe(now + 900_000);
    const check = await verifyAccessToken(SECRET, token, now + 1000);
    expect(check).toMatchObject({
      ok: true,
      claims: { userId: subject.userId, sessionId: subject.sessionId },
    });
    expect(check.ok && check.claims.jti).toMatch(/^[A-Za-z0-9]{20}$/);
    const header = JSON.parse(unb64url(token.split(".")[0]!));
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
  });

  it("are `expired` after their lifetime", async () => {
    const now = Date.UTC(2026, 0, 1);
    const { token } = await signAccessToken(SECRET, subject, 900, now);
    expect(await verifyAccessToken(SECRET, token, now + 899_000)).toMatchObject({ ok: true });
    expect(await verifyAccessToken(SECRET, token, now + 901_000)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuse a changed payload, `alg: none`, another key and another HMAC algorithm", async () => {
    const { token } = await signAccessToken(SECRET, subject, 900);
    const [h, p, s] = token.split(".");
    const claims = JSON.parse(unb64url(p!));

    const forged = `${h}.${b64url(JSON.stringify({ ...claims, sub: "u_bbbbbbbbbbbbbbbb" }))}.${s}`;
    const none = `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${p}.`;
    const otherKey = (await signAccessToken("another-secret-0123456789abcdefgh", subject, 900)).token;
    const hs512 = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS512" })
      .sign(new TextEncoder().encode(SECRET));
    for (const bad of [forged, none, otherKey, hs512, `${token}x`, "not.a.jwt", ""]) {
      expect(await verifyAccessToken(SECRET, bad), bad).toEqual({ ok: false, reason: "invalid" });
    }
  });

  it("refuse other tokens signed with the same secret (wrong audience, missing claims)", async () => {
    // e.g. a WebSocket ticket: same secret, its own audience, no sid.
    const ticket = await new SignJWT({ uid: subject.userId, sid: subject.sessionId })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("v_aaaaaaaaaaaaaaaa")
      .setAudience("streamline:ws")
      .setJti("t")
      .setIssuedAt()
      .setExpirationTime("1m")
      .sign(new TextEncoder().encode(SECRET));
    expect(await verifyAccessToken(SECRET, ticket)).toEqual({ ok: false, reason: "invalid" });
    const noSid = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(ACCESS_ISSUER)
      .setAudience(ACCESS_AUDIENCE)
      .setSubject(subject.userId)
      .setJti("j")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(SECRET));
    expect(await verifyAccessToken(SECRET, noSid)).toEqual({ ok: false, reason: "invalid" });
  });

  it("are refused once older than 15 minutes even if signed with a longer expiry", async () => {
    const now = Date.now();
    const long = await new SignJWT({ sid: subject.sessionId })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(ACCESS_ISSUER)
      .setAudience(ACCESS_AUDIENCE)
      .setSubject(subject.userId)
      .setJti("j")
      .setIssuedAt(Math.floor(now / 1000) - 1800)
      .setExpirationTime(Math.floor(now / 1000) + 3600)
      .sign(new TextEncoder().encode(SECRET));
    expect(await verifyAccessToken(SECRET, long, now)).toEqual({ ok: false, reason: "expired" });
  });
});
