/**
 * The account page's Preferences section: default upload visibility, autoplay, email
 * notifications, theme and paused history. Each change is saved at once (PATCH of that
 * field); the theme also switches the page and its cookie (lib/theme.ts). Loading the section
 * mirrors the stored theme into the cookie, so a new device picks it up from here on.
 */
import { api, type PreferencesDto, type UpdatePreferencesRequest } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { applyTheme, isTheme } from "../../lib/theme.ts";

const TOGGLES = ["autoplay", "emailNotifications", "historyPaused"] as const;

/** The PATCH for one control's new value (null: not a preference control). */
export function preferencePatch(
  name: string,
  value: string,
  checked: boolean,
): UpdatePreferencesRequest | null {
  if ((TOGGLES as readonly string[]).includes(name)) return { [name]: checked };
  if (name === "theme" && isTheme(value)) return { theme: value };
  if (name === "defaultVisibility" && ["public", "unlisted", "private"].includes(value)) {
    return { defaultVisibility: value as PreferencesDto["defaultVisibility"] };
  }
  return null;
}

function fill(form: HTMLFormElement, prefs: PreferencesDto): void {
  for (const name of TOGGLES) (form.elements.namedItem(name) as HTMLInputElement).checked = prefs[name];
  (form.elements.namedItem("defaultVisibility") as HTMLSelectElement).value = prefs.defaultVisibility;
  (form.elements.namedItem("theme") as RadioNodeList).value = prefs.theme;
}

export function mountPreferences(root: HTMLElement): void {
  const $ = elementsOf(root, "preferences");
  const form = $(role("preferences-form"), HTMLFormElement);
  const fieldset = $("fieldset", HTMLFieldSetElement);
  const status = $(role("preferences-status"));
  let prefs: PreferencesDto | null = null;
  const say = (text: string, tone: "ok" | "info" | "error" = "info") => {
    status.textContent = text;
    status.dataset.tone = tone;
  };

  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", async (event) => {
    const input = event.target as HTMLInputElement;
    const patch = preferencePatch(input.name, input.value, input.checked);
    if (!patch || !prefs) return;
    if (patch.theme) applyTheme(patch.theme);
    say("Saving…");
    try {
      prefs = await api.updatePreferences(patch);
      root.dataset.saved = String(Number(root.dataset.saved ?? 0) + 1);
      say("Saved.", "ok");
    } catch (err) {
      say(`Not saved: ${err instanceof Error ? err.message : "something went wrong"}`, "error");
      fill(form, prefs);
      applyTheme(prefs.theme);
    }
  });

  void (async () => {
    const session = await authSession.start();
    if (session.status !== "signed-in") return;
    try {
      prefs = await api.getPreferences();
      fill(form, prefs);
      if (document.documentElement.dataset.theme !== prefs.theme) applyTheme(prefs.theme);
      fieldset.disabled = false;
      root.dataset.state = "ready";
    } catch (err) {
      root.dataset.state = "error";
      say(`Couldn't load your preferences: ${err instanceof Error ? err.message : "unknown error"}`, "error");
    }
  })();
}
