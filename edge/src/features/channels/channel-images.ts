/**
 * URLs of rendered channel images: `/i/<sig>/channels/<userId>/<kind>/<version>/<file>`.
 * The signature (HMAC-SHA256 under DELIVERY_SECRET over the key) means the edge serves only
 * keys it published itself — never a source upload or anything else in the bucket — while
 * the URL stays stable: a new upload is a new version, so the bytes behind one URL never
 * change and can be cached for good (ADR 0011).
 */
import {
  AVATAR_SIZES,
  BANNER_SIZES,
  CHANNEL_IMAGE_PREFIX_PATTERN,
  type ChannelImageKind,
} from "@streamline/contracts";

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();
/** 16 bytes of the MAC, base64url: unguessable, and short enough for many URLs per page. */
const SIG_CHARS = 22;
export const IMAGE_PATH_PREFIX = "/i";
/** A served file: one of the rendered sizes under a published version prefix. */
export const IMAGE_KEY_PATTERN =
  /^channels\/u_[A-Za-z0-9]{16}\/(avatar|banner)\/a_[A-Za-z0-9_-]{8,60}\/(\d{2,4}|\d{3,4}x\d{2,4})\.jpg$/;

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    keys.set(secret, key);
  }
  return key;
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

export async function imageSignature(secret: string, key: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(`channel-image:${key}`));
  return base64Url(new Uint8Array(mac)).slice(0, SIG_CHARS);
}

/** Constant-time comparison of two signatures of the same length. */
export async function signatureMatches(secret: string, key: string, sig: string): Promise<boolean> {
  const expected = await imageSignature(secret, key);
  if (sig.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < sig.length; i++) diff |= sig.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}

export async function imageUrl(secret: string, key: string): Promise<string> {
  return `${IMAGE_PATH_PREFIX}/${await imageSignature(secret, key)}/${key}`;
}

/** Every size of a rendered set, as `{ width, url }`, smallest first; none for a prefix we did not write. */
export async function imageSet(secret: string, kind: ChannelImageKind, prefix: string | null) {
  if (!prefix || !CHANNEL_IMAGE_PREFIX_PATTERN.test(prefix)) return [];
  const files =
    kind === "avatar"
      ? AVATAR_SIZES.map((s) => ({ width: s, file: `${s}.jpg` }))
      : BANNER_SIZES.map((s) => ({ width: s.width, file: `${s.width}x${s.height}.jpg` }));
  return Promise.all(
    files.map(async (f) => ({ width: f.width, url: await imageUrl(secret, prefix + f.file) })),
  );
}

/** `url 48w, url 88w, …` for `<img srcset>`. */
export function srcsetOf(set: { width: number; url: string }[]): string | null {
  return set.length ? set.map((s) => `${s.url} ${s.width}w`).join(", ") : null;
}

/** The set's entry of `width`, or null. */
export function sizeOf(set: { width: number; url: string }[], width: number): string | null {
  return set.find((s) => s.width === width)?.url ?? null;
}
