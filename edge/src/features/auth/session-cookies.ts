/**
 * The cookies a sign-in leaves in the browser, shared by every way of signing in (password
 * login and signup in auth.routes.ts, OpenID Connect in features/oidc): the refresh token in
 * an HttpOnly, SameSite=Strict cookie scoped to `/api/auth`, and the known-device cookie
 * (device-cookie.ts, ADR 0005).
 */

import type { AuthResponse } from "@streamline/contracts";
import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import type { AppEnv } from "../../lib/app-env.ts";
import { type IssuedSession, toUserDto } from "./auth.service.ts";
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_SECONDS, deviceCookieFor } from "./device-cookie.ts";

export const REFRESH_COOKIE = "sl_refresh";
export const REFRESH_COOKIE_PATH = "/api/auth";

/** `Secure` everywhere except plain-http loopback, where browsers would drop the cookie. */
export function cookieIsSecure(c: Context<AppEnv>): boolean {
  const url = new URL(c.req.url);
  return !(url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost"));
}

export function cookieOptions(c: Context<AppEnv>) {
  return {
    path: REFRESH_COOKIE_PATH,
    httpOnly: true,
    secure: cookieIsSecure(c),
    sameSite: "Strict" as const,
  };
}

/** Marks this browser as one that signed in to the account (spares it the sign-in delay). */
export async function rememberDevice(c: Context<AppEnv>, userId: string): Promise<void> {
  setCookie(c, DEVICE_COOKIE, await deviceCookieFor(c.var.services.config.JWT_SECRET, userId), {
    ...cookieOptions(c),
    maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
  });
}

/** Sets the refresh cookie and returns the body of a signup, login or refresh. */
export function withSession(c: Context<AppEnv>, issued: IssuedSession): AuthResponse {
  setCookie(c, REFRESH_COOKIE, issued.refreshToken, {
    ...cookieOptions(c),
    expires: issued.refreshExpiresAt,
    maxAge: Math.floor((issued.refreshExpiresAt.getTime() - Date.now()) / 1000),
  });
  return {
    user: toUserDto(issued.user),
    accessToken: issued.accessToken,
    expiresAt: issued.expiresAt.toISOString(),
  };
}
