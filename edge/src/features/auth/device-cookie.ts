/**
 * The "known device" cookie: set on every successful signup and login, it lets this
 * browser sign in to that account without the progressive delay an attacker's failed
 * guesses put on the email (ADR 0005). It proves only that this browser signed in to the
 * account before — it is no credential: the password is still checked. Signed with a key
 * derived from `JWT_SECRET` (label `device-cookie:v1`), HttpOnly, SameSite=Strict, scoped to
 * `/api/auth`, valid for a year.
 */
import { toBase64Url } from "../../lib/passwords.ts";

export const DEVICE_COOKIE = "sl_device";
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600;

async function mac(secret: string, payload: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`device-cookie:v1:${payload}`));
  return toBase64Url(new Uint8Array(sig));
}

/** `<userId>.<issuedAt ms>.<mac>`. */
export async function deviceCookieFor(secret: string, userId: string, now = Date.now()): Promise<string> {
  const payload = `${userId}.${now}`;
  return `${payload}.${await mac(secret, payload)}`;
}

/** The user this browser signed in as before, or null (missing, forged, malformed, older than a year). */
export async function deviceCookieUser(
  secret: string,
  value: string | undefined,
  now = Date.now(),
): Promise<string | null> {
  const m = /^(u_[A-Za-z0-9]{16})\.(\d{13})\.([A-Za-z0-9_-]{43})$/.exec(value ?? "");
  if (!m) return null;
  const [, userId, issuedAt, given] = m as unknown as [string, string, string, string];
  if (now - Number(issuedAt) > DEVICE_COOKIE_MAX_AGE_SECONDS * 1000 || Number(issuedAt) > now + 60_000)
    return null;
  const expected = await mac(secret, `${userId}.${issuedAt}`);
  // Both are fixed-length base64url of a MAC: compare without an early exit.
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i);
  return diff === 0 ? userId : null;
}
