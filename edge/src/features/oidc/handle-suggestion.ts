/**
 * A handle to suggest to someone signing up through a provider: made from their name
 * ("Ana Lima" → `ana-lima`), else from the address's local part, folded to the handle
 * alphabet (accents dropped, anything else a hyphen), then with a number when taken or
 * reserved. Only a suggestion: the person picks, and the insert is the final judge.
 */
import { HANDLE_PATTERN, RESERVED_HANDLES } from "@streamline/contracts";

const MAX = 30;

/** Folds text to the handle alphabet: `"Zoë  O'Brien"` → `zoe-o-brien`; may be too short or empty. */
export function foldToHandle(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, MAX)
    .replace(/^[-_]+|[-_]+$/g, "");
}

export function isValidHandle(handle: string): boolean {
  return HANDLE_PATTERN.test(handle) && !RESERVED_HANDLES.has(handle);
}

/** The bases worth trying, best first: from the name, then from the address. */
export function handleBases(name: string | null, email: string | null): string[] {
  const local = email?.split("@")[0]?.split("+")[0] ?? "";
  const bases = [foldToHandle(name ?? ""), foldToHandle(local)].filter((b) => b.length > 0);
  return [...new Set(bases.length ? bases : ["user"])];
}

/** `base` with a number, shortened so the whole stays within 30 characters. */
export function numbered(base: string, n: number): string {
  const suffix = String(n);
  return `${base.slice(0, MAX - suffix.length).replace(/[-_]+$/, "")}${suffix}`;
}

/**
 * The first candidate that is valid and free: each base as is, then each with a random
 * number (up to `tries` times). Null when nothing was free (the page then asks for one).
 */
export async function suggestHandle(
  name: string | null,
  email: string | null,
  isFree: (handle: string) => Promise<boolean>,
  tries = 4,
  random: () => number = Math.random,
): Promise<string | null> {
  const bases = handleBases(name, email);
  const candidates = [
    ...bases,
    ...Array.from({ length: tries }, (_, i) =>
      numbered(bases[i % bases.length]!, 2 + Math.floor(random() * 9998)),
    ),
  ];
  for (const candidate of candidates) {
    if (isValidHandle(candidate) && (await isFree(candidate))) return candidate;
  }
  return null;
}
