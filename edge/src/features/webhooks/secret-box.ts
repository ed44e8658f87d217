/**
 * Webhook signing secrets at rest (ADR 0025): the edge must read them back to sign, so they
 * cannot be hashed; they are sealed with AES-256-GCM under a key derived (HKDF-SHA256) from
 * JWT_SECRET, so a copy of the D1 database alone does not let anyone forge webhooks.
 * Rotating JWT_SECRET makes existing secrets unreadable: endpoints must then be re-created.
 */
const encoder = new TextEncoder();
const INFO = encoder.encode("streamline webhook secrets v1");

const keys = new Map<string, Promise<CryptoKey>>();

function boxKey(masterSecret: string): Promise<CryptoKey> {
  let key = keys.get(masterSecret);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", encoder.encode(masterSecret), "HKDF", false, ["deriveKey"])
      .then((ikm) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: INFO },
          ikm,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    keys.set(masterSecret, key);
  }
  return key;
}

const toB64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromB64 = (s: string) => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));

/** `v1.<iv>.<ciphertext>` (base64). */
export async function seal(masterSecret: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    await boxKey(masterSecret),
    encoder.encode(plaintext),
  );
  return `v1.${toB64(iv)}.${toB64(new Uint8Array(sealed))}`;
}

export async function open(masterSecret: string, sealed: string): Promise<string> {
  const [version, iv, data] = sealed.split(".");
  if (version !== "v1" || !iv || !data) throw new Error("unknown sealed secret format");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromB64(iv) },
    await boxKey(masterSecret),
    fromB64(data),
  );
  return new TextDecoder().decode(plain);
}
