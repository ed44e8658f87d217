/**
 * The `sl_viewer` cookie (ADR 0016): a random id per browser, HttpOnly, set by the edge the
 * first time a video is fetched without one. Anonymous views are counted per this id, and
 * every view token names it, so a token copied to another browser is refused. Inside another
 * site's iframe the cookie never arrives (SameSite=Lax; third-party cookies), so the embed page
 * sends an id from its own storage instead (ADR 0029).
 */
import { VIEWER_COOKIE, VIEWER_HEADER } from "@streamline/contracts";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../../lib/app-env.ts";
import { randomId } from "../../lib/ids.ts";
import { cookieIsSecure } from "../auth/session-cookies.ts";

const ONE_YEAR_SECONDS = 365 * 24 * 3600;
const VIEWER_ID = /^[A-Za-z0-9]{24}$/;

/**
 * The caller's viewer id, if it sent a well-formed one: the cookie, else the id a third-party
 * frame (the embed page) keeps in its storage and sends itself — `sent` (a heartbeat body's
 * `viewerId`) or the `x-streamline-viewer` header. Either way it is only a name for counting
 * once per window; the rules that make a view (played time on the wall clock, the window, the
 * rate limit per viewer) are the same for both.
 */
export function viewerIdOf(c: Context<AppEnv>, sent?: string | null): string | null {
  const value = getCookie(c, VIEWER_COOKIE);
  if (value && VIEWER_ID.test(value)) return value;
  const stored = sent ?? c.req.header(VIEWER_HEADER);
  return stored && VIEWER_ID.test(stored) ? stored : null;
}

/** The caller's viewer id, minting one (and setting the cookie) when it sent none. */
export function ensureViewerId(c: Context<AppEnv>): string {
  const existing = viewerIdOf(c);
  if (existing) return existing;
  const id = randomId(24);
  setCookie(c, VIEWER_COOKIE, id, {
    path: "/",
    httpOnly: true,
    secure: cookieIsSecure(c),
    sameSite: "Lax",
    maxAge: ONE_YEAR_SECONDS,
  });
  return id;
}
