/** Random identifiers: URL-safe, unguessable, fixed shape (validated by contracts). */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function randomId(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  // 62 symbols: the tiny modulo bias is irrelevant for identifiers.
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

export const newVideoId = () => `v_${randomId(16)}`;
export const newAttemptId = () => `a_${randomId(20)}`;
