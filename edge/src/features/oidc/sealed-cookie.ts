/**
 * Sealed cookie values for the OpenID Connect flow (ADR 0012): the per-attempt state (state,
 * nonce, PKCE verifier, intent, return path) and the pending sign-in a first visit leaves.
 * Encrypted and authenticated (JWE, `dir` + A256GCM via jose) under a key derived from
 * JWT_SECRET with HKDF, one key per purpose, so the browser can neither read the PKCE
 * verifier nor forge or swap one cookie for the other; `exp` bounds each value's life.
 */
import { EncryptJWT, jwtDecrypt } from "jose";
import type { z } from "zod";

export type SealPurpose = "oidc-state" | "oidc-pending";

const keys = new Map<string, Promise<Uint8Array>>();

async function deriveKey(secret: string, purpose: SealPurpose): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new TextEncoder().encode("streamline"),
      info: new TextEncoder().encode(`${purpose}:v1`),
    },
    base,
    256,
  );
  return new Uint8Array(bits);
}

function keyFor(secret: string, purpose: SealPurpose): Promise<Uint8Array> {
  const id = `${purpose}\u0000${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = deriveKey(secret, purpose);
    keys.set(id, key);
  }
  return key;
}

/** The payload, encrypted for `purpose`, valid for `ttlSeconds` from `now`. */
export async function seal(
  secret: string,
  purpose: SealPurpose,
  payload: Record<string, unknown>,
  ttlSeconds: number,
  now = Date.now(),
): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM", cty: purpose })
    .setAudience(purpose)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .encrypt(await keyFor(secret, purpose));
}

/** The payload, or null when the value is missing, tampered with, sealed for another purpose, expired or malformed. */
export async function unseal<T>(
  secret: string,
  purpose: SealPurpose,
  value: string | undefined,
  schema: z.ZodType<T>,
  now = Date.now(),
): Promise<(T & { exp: number }) | null> {
  if (!value || value.length > 4096) return null;
  try {
    const { payload } = await jwtDecrypt(value, await keyFor(secret, purpose), {
      audience: purpose,
      currentDate: new Date(now),
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
    });
    const parsed = schema.safeParse(payload);
    return parsed.success ? { ...parsed.data, exp: payload.exp as number } : null;
  } catch {
    return null;
  }
}
