/**
 * Request signatures between the edge and the fleet (ADR 0010). WebCrypto only, so the
 * same code runs in workerd and Node.
 *
 *   x-streamline-signature: t=<unix seconds>,v2=<hex HMAC-SHA256(key, canonical)>
 *   canonical = "streamline-v2\n" + direction + "\n" + METHOD + "\n" + path?query + "\n"
 *               + t + "\n" + hex(SHA-256(body))
 *   key       = HKDF-SHA256(TRANSCODER_SECRET, salt "streamline/service-signature",
 *                           info = direction)
 *
 * One secret to configure, one key per direction: a job the edge signed cannot be replayed
 * at the edge as an event, nor an event at the fleet; a signature for one path or method
 * does not verify on another. Verification is constant-time (`crypto.subtle.verify`) and
 * refuses timestamps more than MAX_SKEW_SECONDS away, both ways.
 */

export const SIGNATURE_HEADER = "x-streamline-signature";
export const MAX_SKEW_SECONDS = 300;

/** Who signs: the edge calling the fleet (jobs, cancel, registry) or the fleet reporting events. */
export type SignatureDirection = "edge-to-fleet" | "fleet-to-edge";

/** What a signature binds: the request line and the exact body bytes. */
export interface SignedRequest {
  method: string;
  /** Path plus query string as sent, e.g. `/jobs/j_1/cancel` (no origin). */
  path: string;
  body: string;
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: "missing" | "malformed" | "stale" | "mismatch" };

const SCHEME = "streamline-v2";
const HKDF_SALT = "streamline/service-signature";
const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

async function directionKey(secret: string, direction: SignatureDirection): Promise<CryptoKey> {
  const ikm = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode(HKDF_SALT), info: encoder.encode(direction) },
    ikm,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

function hmacKey(secret: string, direction: SignatureDirection): Promise<CryptoKey> {
  const id = `${direction}\0${secret}`;
  let key = keyCache.get(id);
  if (!key) {
    key = directionKey(secret, direction);
    keyCache.set(id, key);
  }
  return key;
}

function toHex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[0-9a-f]+$/.test(hex) || hex.length % 2 !== 0) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

async function canonical(
  direction: SignatureDirection,
  req: SignedRequest,
  t: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const bodyHash = toHex(await crypto.subtle.digest("SHA-256", encoder.encode(req.body)));
  const text = [SCHEME, direction, req.method.toUpperCase(), req.path, t, bodyHash].join("\n");
  return new Uint8Array(encoder.encode(text));
}

/** The path+query of a URL as the receiver sees it (`new URL(url)` normalises both sides alike). */
export function signedPath(url: string | URL): string {
  const u = typeof url === "string" ? new URL(url) : url;
  return `${u.pathname}${u.search}`;
}

/** The header value for `req`, signed for `direction` at `nowSec`. */
export async function signRequest(
  secret: string,
  direction: SignatureDirection,
  req: SignedRequest,
  nowSec = Math.floor(Date.now() / 1000),
): Promise<string> {
  const key = await hmacKey(secret, direction);
  const mac = await crypto.subtle.sign("HMAC", key, await canonical(direction, req, nowSec));
  return `t=${nowSec},v2=${toHex(mac)}`;
}

function parseHeader(header: string): { t: number; mac: Uint8Array<ArrayBuffer> | null } {
  const parts = new Map<string, string>();
  for (const p of header.split(",")) {
    const i = p.indexOf("=");
    if (i > 0) parts.set(p.slice(0, i).trim(), p.slice(i + 1).trim());
  }
  const t = parts.get("t");
  const v2 = parts.get("v2");
  return { t: t && /^\d{1,12}$/.test(t) ? Number(t) : Number.NaN, mac: v2 ? fromHex(v2) : null };
}

/** Checks `header` against `req` for `direction`: constant-time, bounded clock skew. */
export async function verifyRequest(
  secret: string,
  direction: SignatureDirection,
  req: SignedRequest,
  header: string | null | undefined,
  nowSec = Math.floor(Date.now() / 1000),
): Promise<SignatureCheck> {
  if (!header) return { ok: false, reason: "missing" };
  const { t, mac } = parseHeader(header);
  if (!Number.isInteger(t) || !mac) return { ok: false, reason: "malformed" };
  if (Math.abs(nowSec - t) > MAX_SKEW_SECONDS) return { ok: false, reason: "stale" };
  const key = await hmacKey(secret, direction);
  const ok = await crypto.subtle.verify("HMAC", key, mac, await canonical(direction, req, t));
  return ok ? { ok: true, timestamp: t } : { ok: false, reason: "mismatch" };
}
