/**
 * The `sl_viewer` cookie (ADR 0016): a random id per browser, HttpOnly, set by the edge the
 * first time a video is fetched without one. Anonymous views are counted per this id, and
 * every view token names it, so a token copied to another browser is refused.
 */
import { VIEWER_COOKIE } from "@streamline/contracts";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../../lib/app-env.ts";
import { randomId } from "../../lib/ids.ts";
import { cookieIsSecure } from "../auth/session-cookies.ts";

const ONE_YEAR_SECONDS = 365 * 24 * 3600;
const VIEWER_ID = /^[A-Za-z0-9]{24}$/;

/** The caller's viewer id, if it sent a well-formed one. */
export function viewerIdOf(c: Context<AppEnv>): string | null {
  const value = getCookie(c, VIEWER_COOKIE);
  return value && VIEWER_ID.test(value) ? value : null;
}

/** The caller's viewer id, minting one (and setting the cookie) when missing. */
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
