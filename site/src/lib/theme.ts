/**
 * The site's theme (system, dark or light). The account's preference is mirrored into the
 * `sl_theme` cookie, which the layout reads on the server to render `<html data-theme>`, so
 * every page paints in the right theme from its first frame (no flash, no inline script —
 * the page CSP allows none). The colours themselves are CSS variables in global.css.
 */
import { THEME_COOKIE, type Theme } from "@streamline/contracts";

export const THEMES: readonly Theme[] = ["system", "dark", "light"];

export const isTheme = (value: unknown): value is Theme => THEMES.includes(value as Theme);

/** The cookie line that remembers `theme` for a year on this site. */
export function themeCookie(theme: Theme, secure: boolean): string {
  return `${THEME_COOKIE}=${theme}; Path=/; Max-Age=31536000; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** Switches this page now and remembers the choice for the next ones. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  // biome-ignore lint/suspicious/noDocumentCookie: one fixed, validated value; cookieStore is not in every browser.
  document.cookie = themeCookie(theme, location.protocol === "https:");
}
