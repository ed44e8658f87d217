/**
 * One-time WebSocket tickets. Browsers can't set Authorization on a WebSocket, so the
 * client trades its access for a 60 s ticket scoped to one video; the VideoRoom redeems
 * each ticket id once.
 */
import { jwtVerify, SignJWT } from "jose";
import { randomId } from "../../lib/ids.ts";
import { ANONYMOUS, Watcher } from "./watcher.ts";

const AUDIENCE = "streamline:ws";
export const TICKET_TTL_SEC = 60;
const encoder = new TextEncoder();

/**
 * `watcher`: who the ticket admits (the caller, whether they own the video, the video's
 * access epoch now; `null`: anonymous); the room closes non-owners' sockets when the video loses viewers.
 */
export async function issueTicket(
  secret: string,
  videoId: string,
  watcher: Watcher | null,
  now = Date.now(),
) {
  const exp = Math.floor(now / 1000) + TICKET_TTL_SEC;
  const w = watcher ?? ANONYMOUS;
  const claims = { ...(w.viewer ? { uid: w.viewer } : {}), own: w.owner, aep: w.epoch };
  const ticket = await new SignJWT(claims)
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
    const watcher = Watcher.safeParse({
      viewer: typeof payload.uid === "string" ? payload.uid : null,
      owner: payload.own === true,
      epoch: payload.aep ?? 0,
    });
    if (!watcher.success) return null;
    return { jti: payload.jti, expiresAt: payload.exp * 1000, watcher: watcher.data };
  } catch {
    return null;
  }
}
