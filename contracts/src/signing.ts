/**
 * HMAC-SHA256 signatures for service-to-service messages (edge → transcoder jobs,
 * transcoder → edge events). WebCrypto only, so the same code runs in workerd and Node.
 *
 * Header: `X-Streamline-Signature: t=<unix seconds>,v1=<hex hmac of "t.body">`.
 */

export const SIGNATURE_HEADER = "x-streamline-signature";
export const MAX_SKEW_SECONDS = 300;

const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keyCache.set(secret, key);
  }
  return key;
}

function toHex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[0-9a-f]*$/.test(hex) || hex.length % 2 !== 0) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export async function signBody(secret: string, body: string, nowSec = Math.floor(Date.now() / 1000)) {
  const key = await hmacKey(secret);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${nowSec}.${body}`));
  return `t=${nowSec},v1=${toHex(mac)}`;
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: "missing" | "malformed" | "stale" | "mismatch" };

/** Constant-time verification (crypto.subtle.verify) with a bounded clock skew. */
export async function verifyBody(
  secret: string,
  body: string,
  header: string | null | undefined,
  nowSec = Math.floor(Date.now() / 1000),
): Promise<SignatureCheck> {
  if (!header) return { ok: false, reason: "missing" };
  const parts = Object.fromEntries(
    header.split(",").map((p) => {
      const i = p.indexOf("=");
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
    }),
  );
  const t = Number(parts.t);
  const mac = parts.v1 ? fromHex(parts.v1) : null;
  if (!Number.isInteger(t) || !mac) return { ok: false, reason: "malformed" };
  if (Math.abs(nowSec - t) > MAX_SKEW_SECONDS) return { ok: false, reason: "stale" };
  const key = await hmacKey(secret);
  const ok = await crypto.subtle.verify("HMAC", key, mac, encoder.encode(`${t}.${body}`));
  return ok ? { ok: true, timestamp: t } : { ok: false, reason: "mismatch" };
}
