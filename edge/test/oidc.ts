/**
 * Test helpers for OpenID sign-in: play the browser between the edge and an issuer — carry
 * each side's cookies, follow redirects by hand, and fill oidc-provider's development login
 * and consent forms (real HTML over real HTTP) — until the issuer sends the browser back to
 * the edge's callback.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { app } from "../src/app.ts";
import { call, ORIGIN } from "./http.ts";

/** `name=value` pairs a response set (a cleared cookie maps to ""). */
export function setCookies(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(";")[0]!;
    const at = pair.indexOf("=");
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/** The Set-Cookie line of one cookie, attributes included. */
export function setCookieLine(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

export const cookieHeader = (cookies: Record<string, string>) =>
  Object.entries(cookies)
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");

/** A minimal cookie jar for the issuer's own cookies (one host, every path). */
class IssuerJar {
  private readonly cookies = new Map<string, string>();
  take(res: Response) {
    for (const [k, v] of Object.entries(setCookies(res))) {
      if (v === "") this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/** The form on an oidc-provider interaction page: where it posts, and which prompt it answers. */
function interactionForm(html: string, base: string): { action: string; prompt: string } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !prompt) throw new Error(`no interaction form in: ${html.slice(0, 300)}`);
  return { action: new URL(action.replace(/&amp;/g, "&"), base).href, prompt };
}

/**
 * From the authorization URL to the edge callback URL the issuer redirects to, signing in as
 * `login` (any password) and consenting on the way.
 */
export async function throughProvider(authorizationUrl: string, login: string): Promise<URL> {
  const jar = new IssuerJar();
  let request = new Request(authorizationUrl, { redirect: "manual" });
  for (let hop = 0; hop < 20; hop++) {
    request.headers.set("cookie", jar.header());
    const res = await fetch(request);
    jar.take(res);
    const location = res.headers.get("location");
    if (location) {
      const next = new URL(location, request.url);
      if (next.origin === ORIGIN) return next;
      request = new Request(next, { redirect: "manual" });
      continue;
    }
    if (res.status !== 200) throw new Error(`issuer answered ${res.status}: ${await res.text()}`);
    const form = interactionForm(await res.text(), request.url);
    const fields: Record<string, string> =
      form.prompt === "login" ? { prompt: "login", login, password: "any password" } : { prompt: "consent" };
    request = new Request(form.action, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });
  }
  throw new Error("too many redirects at the issuer");
}

export interface Started {
  res: Response;
  /** Where start sent the browser. */
  location: URL;
  /** `sl_oidc_state=…` for the callback. */
  stateCookie: string;
}

/** `GET /api/auth/oidc/google/start` as a browser would (optionally through a custom env). */
export async function startSignIn(
  ip: string,
  query = "",
  init: { cookie?: string; env?: Env } = {},
): Promise<Started> {
  const headers: Record<string, string> = { "cf-connecting-ip": ip };
  if (init.cookie) headers.cookie = init.cookie;
  const res = await callWith(init.env, `/api/auth/oidc/google/start${query}`, { headers });
  const location = new URL(res.headers.get("location") ?? "/", ORIGIN);
  const state = setCookies(res).sl_oidc_state ?? "";
  return { res, location, stateCookie: `sl_oidc_state=${state}` };
}

/** The callback, with the cookies a browser would send it. */
export function callback(url: URL, ip: string, cookie: string, customEnv?: Env) {
  return callWith(customEnv, `${url.pathname}${url.search}`, { headers: { "cf-connecting-ip": ip, cookie } });
}

/** Like `call`, through the real env or another one (an env pointing at the crafted issuer). */
export async function callWith(
  customEnv: Env | undefined,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  // Redirects are what these endpoints answer: never follow them.
  if (!customEnv) return call(path, { redirect: "manual", ...init });
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${ORIGIN}${path}`, init), customEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** The test env with Google pointing at the crafted issuer (ID tokens wrong on purpose). */
export function craftedEnv(): Env {
  return { ...env, OIDC_GOOGLE_ISSUER: env.OIDC_CRAFTED_ISSUER } as Env;
}

/** Follows the crafted issuer's authorization endpoint (one redirect back) with a scenario. */
export async function throughCrafted(location: URL, claims: Record<string, string>): Promise<URL> {
  const url = new URL(location);
  for (const [k, v] of Object.entries(claims)) url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: "manual" });
  return new URL(res.headers.get("location") ?? "", ORIGIN);
}
