/**
 * A one-shot message for the next studio list load ("“Clip” was deleted."), kept in this
 * tab's sessionStorage rather than the URL, so no link can make the page say anything.
 */
const FLASH_KEY = "streamline:studio-flash";

export function setStudioFlash(message: string): void {
  try {
    sessionStorage.setItem(FLASH_KEY, message);
  } catch {
    // No storage: the list simply won't mention it.
  }
}

export function takeStudioFlash(): string | null {
  try {
    const message = sessionStorage.getItem(FLASH_KEY);
    sessionStorage.removeItem(FLASH_KEY);
    return message;
  } catch {
    return null;
  }
}
