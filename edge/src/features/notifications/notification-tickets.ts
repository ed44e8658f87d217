/**
 * One-time tickets for `GET /ws/notifications`: like the video tickets (progress/ws-tickets.ts)
 * but naming a user, under their own audience so neither kind opens the other's socket.
 */
import { jwtVerify, SignJWT } from "jose";
import { randomId } from "../../lib/ids.ts";

const AUDIENCE = "streamline:ws:notifications";
export const NOTIFICATIONS_TICKET_TTL_SEC = 60;
const encoder = new TextEncoder();

export async function issueNotificationsTicket(secret: string, userId: string, now = Date.now()) {
  const exp = Math.floor(now / 1000) + NOTIFICATIONS_TICKET_TTL_SEC;
  const ticket = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setAudience(AUDIENCE)
    .setJti(randomId(20))
    .setExpirationTime(exp)
    .sign(encoder.encode(secret));
  return { ticket, expiresAt: new Date(exp * 1000).toISOString() };
}

export async function readNotificationsTicket(secret: string, ticket: string) {
  try {
    const { payload } = await jwtVerify(ticket, encoder.encode(secret), {
      algorithms: ["HS256"],
      audience: AUDIENCE,
    });
    if (!payload.sub || !payload.jti || !payload.exp) return null;
    return { userId: payload.sub, jti: payload.jti, expiresAt: payload.exp * 1000 };
  } catch {
    return null;
  }
}
