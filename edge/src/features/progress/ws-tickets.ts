/**
 * One-time WebSocket tickets. Browsers can't set Authorization on a WebSocket, so the
 * client trades its access for a 60 s ticket scoped to one video; the VideoRoom redeems
 * each ticket id once.
 */
import { jwtVerify, SignJWT } from "jose";
import { randomId } from "../../lib/ids.ts";

const AUDIENCE = "streamline:ws";
export const TICKET_TTL_SEC = 60;
const encoder = new TextEncoder();

export async function issueTicket(secret: string, videoId: string, userId: string | null, now = Date.now()) {
  const exp = Math.floor(now / 1000) + TICKET_TTL_SEC;
  const ticket = await new SignJWT(userId ? { uid: userId } : {})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(videoId)
    .setAudience(AUDIENCE)
    .setJti(randomId(20))
    .setExpirationTime(exp)
    .sign(encoder.encode(secret));
  return { ticket, expiresAt: new Date(exp * 1000).toISOString() };
}

export async function readTicket(secret: string, videoId: string, ticket: string) {
  try {
    const { payload } = await jwtVerify(ticket, encoder.encode(secret), {
      algorithms: ["HS256"],
      audience: AUDIENCE,
    });
    if (payload.sub !== videoId || !payload.jti || !payload.exp) return null;
    return { jti: payload.jti, expiresAt: payload.exp * 1000 };
  } catch {
    return null;
  }
}
