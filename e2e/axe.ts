/**
 * Accessibility and theme helpers for the browser tests (ADR 0020).
 *
 * How to use, in any e2e test that opens a page in Chromium:
 *
 *   import { expectAccessible, setTheme, shootThemes } from "./axe.ts";
 *
 *   await page.goto(`${stack.origin}/my-page`);
 *   await expectAccessible(page, "my page");          // axe-core: fails on serious/critical violations
 *   await setTheme(page, "light");                     // the `sl_theme` cookie + <html data-theme>, now
 *   await expectAccessible(page, "my page (light)");   // contrast differs per theme: check both
 *   await shootThemes(page, "my-page");                // my-page-{dark,light}-{375,1280}.png (then LOOK)
 *
 * - `expectAccessible` runs axe-core (WCAG 2.x A/AA rules + best practices) on the page as it
 *   is now, so open menus/dialogs first if you want them checked. Only "serious" and "critical"
 *   violations fail; the error lists each rule, its help text and the offending selectors.
 *   `options.exclude` skips selectors you do not own (e.g. a third-party iframe).
 * - The theme lives in the `sl_theme` cookie (system | dark | light), which the layout renders
 *   into `<html data-theme>` on the server. `setTheme` sets the cookie for the page's origin AND
 *   the attribute on the open page (no reload needed); pages opened afterwards render in it.
 *   "system" follows `prefers-color-scheme`: use `page.emulateMedia({ colorScheme })` for that.
 */
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { screenshotWidths } from "./support.ts";

export type Theme = "system" | "dark" | "light";

const BLOCKING = new Set(["serious", "critical"]);

export interface AccessibleOptions {
  /** CSS selectors axe should skip (content you do not own). */
  exclude?: string[];
  /** Rule ids to turn off, each with a reason in the caller's comment. */
  disableRules?: string[];
}

/** Runs axe-core on `page`; throws listing every serious or critical violation. Returns the count of lesser ones. */
export async function expectAccessible(
  page: Page,
  label: string,
  options: AccessibleOptions = {},
): Promise<number> {
  // Legacy mode runs axe inside the page itself: the default opens a helper page in the page's
  // context, which a `browser.newPage()` page (what most tests use) does not allow.
  let builder = new AxeBuilder({ page })
    .setLegacyMode(true)
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]);
  for (const selector of options.exclude ?? []) builder = builder.exclude(selector);
  if (options.disableRules?.length) builder = builder.disableRules(options.disableRules);
  const results = await builder.analyze();
  const blocking = results.violations.filter((v) => BLOCKING.has(v.impact ?? ""));
  if (blocking.length > 0) {
    const lines = blocking.map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map(
          (n) =>
            `      ${n.target.join(" ")}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, " ")}` : ""}`,
        )
        .join("\n");
      const more = v.nodes.length > 5 ? `\n      … and ${v.nodes.length - 5} more` : "";
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} node(s))\n${nodes}${more}`;
    });
    throw new Error(
      `axe: ${blocking.length} serious/critical violation(s) on ${label} (${page.url()}):\n${lines.join("\n")}`,
    );
  }
  return results.violations.length;
}

/** Switches the open page to `theme` and remembers it (cookie) for pages opened next in this context. */
export async function setTheme(page: Page, theme: Theme): Promise<void> {
  const url = new URL(page.url());
  await page.context().addCookies([{ name: "sl_theme", value: theme, url: url.origin, sameSite: "Lax" }]);
  await page.evaluate((t) => {
    document.documentElement.dataset.theme = t;
  }, theme);
}

/** Screenshots the page at 375/1280 px in the dark then the light theme (`<name>-<theme>-<width>.png`), restoring the theme it had. */
export async function shootThemes(page: Page, name: string): Promise<string[]> {
  const before = ((await page.getAttribute("html", "data-theme")) ?? "system") as Theme;
  const paths: string[] = [];
  for (const theme of ["dark", "light"] as const) {
    await setTheme(page, theme);
    paths.push(...(await screenshotWidths(page, `${name}-${theme}`)));
  }
  await setTheme(page, before);
  return paths;
}
