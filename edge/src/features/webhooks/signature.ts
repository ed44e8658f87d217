/**
 * Webhook signatures (ADR 0025): `Streamline-Signature: t=<unix seconds>,v1=<hex>` where the
 * hex is HMAC-SHA256 keyed with the endpoint's whole secret string (`whsec_…`, UTF-8) over
 * `t + "." + body`. The timestamp is inside the MAC, so a receiver that refuses signatures
 * older than 5 minutes (WEBHOOK_TOLERANCE_SECONDS) cannot be fed a replayed request, and the
 * event id (`Streamline-Event-Id`) lets it drop a redelivery it already handled.
 */
import { WEBHOOK_TOLERANCE_SECONDS } from "@streamline/contracts";

const encoder = new TextEncoder();

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(message));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The header value for `body` sent at `unixSeconds`. */
export async function signWebhook(secret: string, body: string, unixSeconds: number): Promise<string> {
  return `t=${unixSeconds},v1=${await hmacHex(secret, `${unixSeconds}.${body}`)}`;
}

/** What a receiver does (kept here for tests and as the reference for the README snippet). */
export async function verifyWebhook(
  secret: string,
  body: string,
  header: string | null,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
): Promise<boolean> {
  if (!header) return false;
  const fields = header.split(",").map((kv) => kv.trim().split("=") as [string, string]);
  const t = Number(fields.find(([k]) => k === "t")?.[1]);
  const candidates = fields.filter(([k]) => k === "v1").map(([, v]) => v);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = await hmacHex(secret, `${t}.${body}`);
  // Constant-time comparison of equal-length hex strings.
  return candidates.some((c) => c.length === expected.length && timingSafeEqualHex(c, expected));
}

function timingSafeEqualHex(a: string, b: string): boolean {
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `whsec_` + 32 random bytes, base64url. */
export function generateWebhookSecret(): string {
  return `whsec_${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
}
