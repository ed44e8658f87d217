/**
 * Does a comment contain one of a channel's blocked words? Case-insensitive, on whole words
 * (a blocked "ass" holds "you ass" but not "class"); a phrase matches with any whitespace
 * between its words. Letters and digits of any script count as word characters.
 */
const WORD_CHAR = "[\\p{L}\\p{N}_]";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function matchesBlockedWord(text: string, words: readonly string[]): boolean {
  if (words.length === 0) return false;
  const haystack = text.toLowerCase();
  return words.some((word) => {
    const pattern = word.split(" ").map(escapeRegExp).join("\\s+");
    return new RegExp(`(?<!${WORD_CHAR})${pattern}(?!${WORD_CHAR})`, "u").test(haystack);
  });
}
