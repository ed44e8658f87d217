/**
 * Signed, expiring delivery tokens (jose, HS256). A token is scoped to one video and
 * travels in the path (`/v/{id}/{token}/…`) so relative playlist URIs inherit it.
 */
import { errors, jwtVerify, SignJWT } from "jose";

const encoder = new TextEncoder();
const AUDIENCE = "streamline:delivery";

/**
 * `viewer` is the signed-in user the token was issued to, if any: playlists re-check the
 * video's visibility for that viewer, so a link issued before a video turned private
 * stops resolving for anyone but its owner (segments stay stateless; see ADR 0003).
 */
export async function signPlaybackToken(
  secret: string,
  videoId: string,
  ttlSec: number,
  now = Date.now(),
  viewer?: string | null,
) {
  const exp = Math.floor(now / 1000) + ttlSec;
  const token = await new SignJWT(viewer ? { vwr: viewer } : {})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(videoId)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(exp)
    .sign(encoder.encode(secret));
  return { token, expiresAt: new Date(exp * 1000) };
}

export type TokenCheck =
  | { ok: true; viewer: string | null }
  | { ok: false; reason: "expired" | "invalid" | "wrong_video" };

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
    if (payload.sub !== videoId) return { ok: false, reason: "wrong_video" };
    return { ok: true, viewer: typeof payload.vwr === "string" ? payload.vwr : null };
  } catch (err) {
    return { ok: false, reason: err instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}
