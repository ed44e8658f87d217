/**
 * The site's theme (system, dark or light). The account's preference is mirrored into the
 * `sl_theme` cookie, which the layout reads on the server to render `<html data-theme>`, so
 * every page paints in the right theme from its first frame (no flash, no inline script —
 * the page CSP allows none). The colours themselves are CSS variables in global.css.
 */
import type { Theme } from "@streamline/contracts";
import { api } from "./api.ts";
import { authSession } from "./auth-session.ts";

/**
 * contracts' `THEME_COOKIE`, spelled out: importing a value from the contracts package drags
 * its zod schemas (24 KB gzip) into the script every page runs first (theme.test.ts keeps
 * the two equal).
 */
export const THEME_COOKIE = "sl_theme";

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

/**
 * A browser with no theme cookie yet, signed in: adopt the account's theme once (a new
 * device, or cookies cleared). Browsers that have the cookie never ask.
 */
export async function adoptAccountTheme(): Promise<void> {
  const hasCookie = () => document.cookie.split(/;\s*/).some((c) => c.startsWith(`${THEME_COOKIE}=`));
  if (hasCookie()) return;
  const session = await authSession.start();
  if (session.status !== "signed-in") return;
  const prefs = await api.getPreferences().catch(() => null);
  // Chosen on this page meanwhile (the account page): that choice stands.
  if (prefs && !hasCookie()) applyTheme(prefs.theme);
}
