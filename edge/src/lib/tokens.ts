/**
 * Signed, expiring delivery tokens (jose, HS256). A token is scoped to one video and
 * travels in the path (`/v/{id}/{token}/…`) so relative playlist URIs inherit it.
 */
import { errors, jwtVerify, SignJWT } from "jose";

const encoder = new TextEncoder();
const AUDIENCE = "streamline:delivery";

export async function signPlaybackToken(secret: string, videoId: string, ttlSec: number, now = Date.now()) {
  const exp = Math.floor(now / 1000) + ttlSec;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(videoId)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(exp)
    .sign(encoder.encode(secret));
  return { token, expiresAt: new Date(exp * 1000) };
}

export type TokenCheck = { ok: true } | { ok: false; reason: "expired" | "invalid" | "wrong_video" };

export async function verifyPlaybackToken(
  secret: string,
  videoId: string,
  token: string,
  now = Date.now(),
): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ["HS256"],
      audience: AUDIENCE,
      currentDate: new Date(now),
    });
    return payload.sub === videoId ? { ok: true } : { ok: false, reason: "wrong_video" };
  } catch (err) {
    return { ok: false, reason: err instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}
