/**
 * Password hashing: PBKDF2-SHA256 through WebCrypto (the only KDF workerd offers natively),
 * a fresh 16-byte salt per hash, and the iteration count stored with the hash —
 * `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url) — so the cost can be raised later
 * and old hashes upgraded on the next successful login. Workers refuse more than 100,000
 * iterations, which is therefore both the default and the ceiling.
 */

const SCHEME = "pbkdf2-sha256";
const SALT_BYTES = 16;
const HASH_BITS = 256;
export const MAX_ITERATIONS = 100_000;

const encoder = new TextEncoder();

export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Compares every byte whatever the first difference, so timing says nothing about where it is. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number, bits = HASH_BITS) {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const out = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    bits,
  );
  return new Uint8Array(out);
}

interface ParsedHash {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

function parse(stored: string): ParsedHash | null {
  const [scheme, iter, salt, hash, ...rest] = stored.split("$");
  if (scheme !== SCHEME || rest.length || !iter || !salt || !hash) return null;
  const iterations = Number(iter);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) return null;
  const s = fromBase64Url(salt);
  const h = fromBase64Url(hash);
  return s && h && h.length > 0 ? { iterations, salt: s, hash: h } : null;
}

/**
 * The `users.password_hash` of an account that never set a password (created by signing in
 * with an OpenID provider, ADR 0012). Not a hash of anything: `verify` rejects it (and any
 * value starting with `!`, the Unix "locked" convention) before deriving a key.
 */
export const NO_PASSWORD = "!no-password";

/** Whether a stored value is a usable password hash (so the account can sign in with a password). */
export function hasPassword(stored: string): boolean {
  return stored !== "" && !stored.startsWith("!");
}

export type PasswordCheck = { ok: boolean; needsRehash: boolean };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(stored: string, password: string): Promise<PasswordCheck>;
  /**
   * Same work as `verify` against a throwaway hash: run for unknown emails so a failed
   * login costs the same whether or not the account exists.
   */
  verifyDummy(password: string): Promise<PasswordCheck>;
}

export function pbkdf2Hasher(iterations = MAX_ITERATIONS): PasswordHasher {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new Error(`PBKDF2 iterations must be 1–${MAX_ITERATIONS}`);
  }
  let dummy: Promise<string> | undefined;

  const hash = async (password: string) => {
    const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
    const derived = await derive(password, salt, iterations);
    return `${SCHEME}$${iterations}$${toBase64Url(salt)}$${toBase64Url(derived)}`;
  };

  const verify = async (stored: string, password: string): Promise<PasswordCheck> => {
    const parsed = parse(stored);
    if (!parsed) return { ok: false, needsRehash: false };
    const derived = await derive(password, parsed.salt, parsed.iterations, parsed.hash.length * 8);
    const ok = constantTimeEqual(derived, parsed.hash);
    return { ok, needsRehash: ok && parsed.iterations < iterations };
  };

  return {
    hash,
    verify,
    async verifyDummy(password) {
      dummy ??= hash(toBase64Url(crypto.getRandomValues(new Uint8Array(SALT_BYTES))));
      await verify(await dummy, password);
      return { ok: false, needsRehash: false };
    },
  };
}
