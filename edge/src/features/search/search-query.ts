/**
 * User text → an FTS5 MATCH expression that cannot be anything but words (ADR 0021).
 * The text is split into words here (letters, digits and combining marks — what the
 * `unicode61` tokenizer keeps); each word is quoted, so FTS5 syntax (`"`, `*`, `NEAR(`,
 * `-`, `AND`, `:` …) in the query is never syntax, and the words are ANDed. The last word
 * also matches as a prefix ("search as you type") once it has two characters.
 */
import { SEARCH_MAX_TERMS } from "@streamline/contracts";

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const HAS_BASE = /[\p{L}\p{N}]/u;
/** A one-letter prefix would expand to most of the vocabulary. */
const MIN_PREFIX_CHARS = 2;

/** The words of `text` FTS5 will see (at most SEARCH_MAX_TERMS); empty when there are none. */
export function searchTerms(text: string): string[] {
  const words = text.normalize("NFC").match(WORD) ?? [];
  return words.filter((w) => HAS_BASE.test(w)).slice(0, SEARCH_MAX_TERMS);
}

/**
 * The MATCH expression for `text`, or null when it has no words (nothing to search for).
 * `columns` restricts it to those columns (`{name handle} : (…)`).
 */
export function matchExpression(text: string, columns?: readonly string[]): string | null {
  const terms = searchTerms(text);
  if (terms.length === 0) return null;
  const endsInWord = terms.length > 0 && HAS_BASE.test(text.trimEnd().slice(-1)) && !/\s$/.test(text);
  const phrases = terms.map((t, i) => {
    // A word never contains `"`, but the quoting stays correct even if WORD ever changes.
    const quoted = `"${t.replaceAll('"', '""')}"`;
    const last = i === terms.length - 1;
    return last && endsInWord && [...t].length >= MIN_PREFIX_CHARS ? `${quoted}*` : quoted;
  });
  const expr = phrases.join(" ");
  return columns?.length ? `{${columns.join(" ")}} : (${expr})` : expr;
}
