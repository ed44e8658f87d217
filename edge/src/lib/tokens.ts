/**
 * Signed, expiring delivery tokens (jose, HS256). A token is scoped to one video and
 * travels in the path (`/v/{id}/{token}/…`) so relative playlist URIs inherit it.
 */
import { errors, jwtVerify, SignJWT } from "jose";

const encoder = new TextEncoder();
const AUDIENCE = "streamline:delivery";

/** Who a token was issued to, and under which of the video's access epochs. */
export interface PlaybackGrant {
  /** The signed-in user the token names (`vwr`), if any: the owner keeps playing a private video. */
  viewer?: string | null;
  /**
   * `videos.access_epoch` when the token was issued (`aep`). The epoch goes up whenever the
   * video loses viewers, and every delivery request compares it with the current one, so
   * links handed out before a video turned private stop resolving (ADR 0003).
   */
  epoch?: number;
}

export async function signPlaybackToken(
  secret: string,
  videoId: string,
  ttlSec: number,
  now = Date.now(),
  grant: PlaybackGrant = {},
) {
  const exp = Math.floor(now / 1000) + ttlSec;
  const claims = { ...(grant.viewer ? { vwr: grant.viewer } : {}), aep: grant.epoch ?? 0 };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(videoId)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(exp)
    .sign(encoder.encode(secret));
  return { token, expiresAt: new Date(exp * 1000) };
}

export type TokenCheck =
  | { ok: true; viewer: string | null; epoch: number }
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
    const viewer = typeof payload.vwr === "string" ? payload.vwr : null;
    // Tokens from before epochs existed carry none: they belong to epoch 0, the column's default.
    const epoch = Number.isSafeInteger(payload.aep) ? (payload.aep as number) : 0;
    return { ok: true, viewer, epoch };
  } catch (err) {
    return { ok: false, reason: err instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}
