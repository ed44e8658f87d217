/**
 * What counts as a usable secret for the edge and the fleet (`JWT_SECRET`,
 * `DELIVERY_SECRET`, `TRANSCODER_SECRET`): long enough, not a value published in this
 * repository or a well-known placeholder, and not an obvious pattern. Both config
 * loaders refuse a bad one at start, naming the variable (ADR 0010).
 *
 * This is a floor against copy-pasted examples, not a strength meter: a generated value
 * (`openssl rand -hex 32`, what `npm run dev` writes) always passes.
 */
import { z } from "zod";

export const MIN_SECRET_LENGTH = 32;

/** Every example or development credential shipped in the repo, and the classics. */
export const KNOWN_PLACEHOLDER_SECRETS: readonly string[] = [
  "change-me-to-32-random-bytes-hex", // .dev.vars.example
  "streamline-dev-secret", // docker-compose MinIO password
  "s3rver", // the embedded S3 server's fixed keys
  "minioadmin",
  "streamline",
  "secret",
  "password",
  "changeme",
];

/** Fragments that mark a value as "put the real secret here". */
const PLACEHOLDER_FRAGMENTS = [
  "change-me",
  "changeme",
  "change_me",
  "replace-me",
  "replaceme",
  "replace_me",
  "placeholder",
  "your-secret",
  "your_secret",
  "example",
  "dev-secret",
];

/** Shannon entropy of the value's own character distribution, in bits, times its length. */
function estimatedBits(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * value.length;
}

/** "abab…", "0123456789abcdef0123…": the value is a shorter unit repeated (a period ≤ half). */
function isRepetition(value: string): boolean {
  for (let unit = 1; unit <= value.length / 2; unit++) {
    let repeats = true;
    for (let i = unit; i < value.length && repeats; i++) repeats = value[i] === value[i % unit];
    if (repeats) return true;
  }
  return false;
}

/**
 * Why `value` is not acceptable as a secret, or undefined when it is. The threshold of
 * 80 estimated bits passes 32 random hex digits (≈ 112, rarely below 95) and refuses short alphabets.
 */
export function secretProblem(value: string): string | undefined {
  const lower = value.toLowerCase();
  if (KNOWN_PLACEHOLDER_SECRETS.includes(lower))
    return "is a known placeholder; generate one (openssl rand -hex 32)";
  if (PLACEHOLDER_FRAGMENTS.some((f) => lower.includes(f)))
    return "looks like a placeholder; generate one (openssl rand -hex 32)";
  if (value.length < MIN_SECRET_LENGTH)
    return `must be at least ${MIN_SECRET_LENGTH} characters (openssl rand -hex 32)`;
  if (isRepetition(value) || estimatedBits(value) < 80)
    return "is a repeated or low-entropy pattern; generate one (openssl rand -hex 32)";
  return undefined;
}

/** zod schema for a secret variable; the loaders prefix the message with the variable's name. */
export const ServiceSecret = z.string({ error: "is required" }).superRefine((value, ctx) => {
  const problem = secretProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
