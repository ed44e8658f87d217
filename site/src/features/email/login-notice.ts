/**
 * The login page's notice after a password reset (`/login?notice=password-reset`): the new
 * password is set and every device was signed out. The parameter leaves the address bar so
 * a reload or a bookmark does not repeat it.
 */
import { type HistoryLike, type LocationLike, takeParam } from "./mail-link.ts";

const NOTICES: Record<string, string> = {
  "password-reset":
    "Your password was changed and every device was signed out. Log in with your new password.",
};

/** The notice text for this URL (and the parameter removed), or null. */
export function takeLoginNotice(location: LocationLike, history: HistoryLike): string | null {
  const key = takeParam("notice", location, history);
  return key === null ? null : (NOTICES[key] ?? null);
}

export function mountLoginNotice(box: HTMLElement, text: HTMLElement): void {
  const message = takeLoginNotice(location, history);
  text.textContent = message ?? "";
  box.hidden = !message;
}
