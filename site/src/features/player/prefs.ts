/**
 * The player's remembered choices (theater mode, caption style) in localStorage. Storage can be
 * missing or refused (an embed in a third-party frame, private modes): then nothing is remembered.
 */
export function readPref(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writePref(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not remembered; the choice still applies to this page.
  }
}
