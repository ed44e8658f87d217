/** Test helpers for accounts: sign up through the real API and carry the credentials around. */
import { env } from "cloudflare:workers";
import { call, callJson, ORIGIN } from "./http.ts";

let counter = 0;
/** A fresh address per call so per-IP rate limits of one test never bleed into another. */
export function randomIp(): string {
  const b = crypto.getRandomValues(new Uint8Array(3));
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

export function uniqueName(prefix = "user"): string {
  counter += 1;
  const rand = Array.from(crypto.getRandomValues(new Uint8Array(4)), (x) =>
    x.toString(16).padStart(2, "0"),
  ).join("");
  return `${prefix}_${rand}${counter}`;
}

export const PASSWORD = "correct horse battery staple";

export interface TestUser {
  id: string;
  email: string;
  handle: string;
  password: string;
  accessToken: string;
  /** `sl_refresh=…` as the browser would send it back. */
  cookie: string;
  ip: string;
  /** `{ authorization: "Bearer …" }`. */
  auth: Record<string, string>;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The refresh cookie pair (`name=value`) from a response's Set-Cookie, or null. */
export function refreshCookie(res: Response): string | null {
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(";")[0]!;
    if (pair.startsWith("sl_refresh=") && pair !== "sl_refresh=") return pair;
  }
  return null;
}

export async function signUp(
  overrides: Partial<{ email: string; handle: string; password: string }> = {},
): Promise<TestUser> {
  const handle = overrides.handle ?? uniqueName();
  const email = overrides.email ?? `${handle}@example.com`;
  const password = overrides.password ?? PASSWORD;
  const ip = randomIp();
  const res = await callJson<{ user: { id: string; email: string; handle: string }; accessToken: string }>(
    "/api/auth/signup",
    {
      method: "POST",
      json: { email, handle, password },
      headers: { "cf-connecting-ip": ip },
    },
  );
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = refreshCookie(res.res);
  if (!cookie) throw new Error("signup set no refresh cookie");
  return {
    id: res.body.user.id,
    email: res.body.user.email,
    handle: res.body.user.handle,
    password,
    accessToken: res.body.accessToken,
    cookie,
    ip,
    auth: bearer(res.body.accessToken),
  };
}

/** POST /api/auth/refresh as the site does: the cookie plus a same-origin Origin header. */
export function refresh(cookie: string | null, headers: Record<string, string> = {}) {
  return callJson<
    { accessToken: string; expiresAt: string; user: { id: string } } & { error: { code: string } }
  >("/api/auth/refresh", {
    method: "POST",
    headers: { origin: ORIGIN, ...(cookie ? { cookie } : {}), ...headers },
  });
}

export { call, callJson, ORIGIN };

/** Grants a role the way the operator command does (a `user_roles` row); there is no API for it. */
export async function grantRole(user: { id: string }, role: "admin" | "moderator" = "admin") {
  await env.DB.prepare("insert or ignore into user_roles (user_id, role, granted_by) values (?, ?, 'test')")
    .bind(user.id, role)
    .run();
}
