/**
 * View tokens (ADR 0016): handed out with `playback` by `GET /api/videos/:id`, they sign a
 * viewer's heartbeats. HS256 (jose) under a key derived from JWT_SECRET for this one
 * purpose (HMAC-SHA256 of a fixed label), so a view token is never an access token or a
 * delivery token. Claims: `sub` video, `vwr` the counted viewer (`u:<userId>` or
 * `a:<anonymous id>`), `dev` the browser's `sl_viewer` cookie, `dur` the duration then known.
 */
import { errors, jwtVerify, SignJWT } from "jose";

const AUDIENCE = "streamline:view";
const LABEL = "streamline view tokens v1";
const encoder = new TextEncoder();
const keys = new Map<string, Promise<Uint8Array>>();

function viewKey(secret: string): Promise<Uint8Array> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(async (k) => new Uint8Array(await crypto.subtle.sign("HMAC", k, encoder.encode(LABEL))));
    keys.set(secret, key);
  }
  return key;
}

export interface ViewGrant {
  videoId: string;
  /** The signed-in user, or null for an anonymous viewer (counted by `device`). */
  userId: string | null;
  /** The browser's `sl_viewer` cookie: the token works only beside it. */
  device: string;
  durationSec: number | null;
}

export interface VerifiedView extends ViewGrant {
  /** `u:<userId>` or `a:<device>`: whose view this is. */
  viewer: string;
  /** When the token was issued (ms): the clamp's start before the first heartbeat. */
  issuedAt: number;
}

export async function signViewToken(secret: string, grant: ViewGrant, ttlSec: number, now = Date.now()) {
  const iat = Math.floor(now / 1000);
  return new SignJWT({
    vwr: grant.userId ? `u:${grant.userId}` : `a:${grant.device}`,
    dev: grant.device,
    ...(grant.durationSec !== null ? { dur: grant.durationSec } : {}),
  })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(grant.videoId)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSec)
    .sign(await viewKey(secret));
}

export type ViewTokenCheck = { ok: true; view: VerifiedView } | { ok: false; reason: "expired" | "invalid" };

export async function verifyViewToken(
  secret: string,
  token: string,
  now = Date.now(),
): Promise<ViewTokenCheck> {
  try {
    const { payload: p } = await jwtVerify(token, await viewKey(secret), {
      algorithms: ["HS256"],
      audience: AUDIENCE,
      currentDate: new Date(now),
    });
    const vwr = typeof p.vwr === "string" ? p.vwr : "";
    if (typeof p.sub !== "string" || typeof p.dev !== "string" || typeof p.iat !== "number") {
      return { ok: false, reason: "invalid" };
    }
    if (!/^[ua]:[\w-]{1,64}$/.test(vwr)) return { ok: false, reason: "invalid" };
    const durationSec = typeof p.dur === "number" && Number.isFinite(p.dur) ? p.dur : null;
    const userId = vwr.startsWith("u:") ? vwr.slice(2) : null;
    const view = { videoId: p.sub, userId, device: p.dev, durationSec, viewer: vwr, issuedAt: p.iat * 1000 };
    return { ok: true, view };
  } catch (err) {
    return { ok: false, reason: err instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}
