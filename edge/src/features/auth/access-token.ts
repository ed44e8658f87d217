/**
 * Access tokens: short-lived (≤ 15 min) jose HS256 JWTs carried as `Authorization: Bearer`.
 * Claims: `sub` (user id), `sid` (session id, checked against revocation), `jti`, `iat`,
 * `exp`, plus issuer/audience so no other token signed with JWT_SECRET (WebSocket tickets,
 * anything later) is ever accepted as one. Verification pins HS256: `alg: none` and
 * tokens signed with any other key or algorithm are refused.
 */
import { errors, jwtVerify, SignJWT } from "jose";
import { randomId } from "../../lib/ids.ts";

export const ACCESS_ISSUER = "streamline";
export const ACCESS_AUDIENCE = "streamline:api";
/** Hard ceiling whatever the config says. */
export const MAX_ACCESS_TTL_SECONDS = 900;

const encoder = new TextEncoder();

export interface AccessClaims {
  userId: string;
  sessionId: string;
  jti: string;
  expiresAt: number;
}

export async function signAccessToken(
  secret: string,
  subject: { userId: string; sessionId: string },
  ttlSec: number,
  now = Date.now(),
): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(now / 1000);
  const exp = iat + Math.min(ttlSec, MAX_ACCESS_TTL_SECONDS);
  const token = await new SignJWT({ sid: subject.sessionId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(ACCESS_ISSUER)
    .setAudience(ACCESS_AUDIENCE)
    .setSubject(subject.userId)
    .setJti(randomId(20))
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(encoder.encode(secret));
  return { token, expiresAt: new Date(exp * 1000) };
}

export type AccessCheck = { ok: true; claims: AccessClaims } | { ok: false; reason: "expired" | "invalid" };

export async function verifyAccessToken(
  secret: string,
  token: string,
  now = Date.now(),
): Promise<AccessCheck> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ["HS256"],
      issuer: ACCESS_ISSUER,
      audience: ACCESS_AUDIENCE,
      requiredClaims: ["sub", "sid", "jti", "iat", "exp"],
      // Even a token we signed with a longer lifetime (a misconfiguration) dies at 15 min.
      maxTokenAge: MAX_ACCESS_TTL_SECONDS,
      currentDate: new Date(now),
    });
    const { sub, sid, jti, exp } = payload;
    if (
      typeof sub !== "string" ||
      typeof sid !== "string" ||
      typeof jti !== "string" ||
      typeof exp !== "number"
    ) {
      return { ok: false, reason: "invalid" };
    }
    return { ok: true, claims: { userId: sub, sessionId: sid, jti, expiresAt: exp * 1000 } };
  } catch (err) {
    return { ok: false, reason: err instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}
