/**
 * The account page's email verification block: a "Verified" / "Not verified" badge beside the
 * address and, while unverified, a banner saying what verification is for with the resend
 * action. Built here so the account page only hands over its user.
 */
import type { UserDto } from "../../lib/api.ts";
import { resendAction } from "./resend-verification.ts";

function badge(verified: boolean): HTMLElement {
  const el = document.createElement("span");
  el.className = verified ? "badge badge-ok" : "badge badge-warn";
  el.dataset.testid = "email-status";
  el.dataset.verified = String(verified);
  el.textContent = verified ? "Verified" : "Not verified";
  return el;
}

function banner(email: string): HTMLElement {
  const box = document.createElement("div");
  box.className = "notice notice-warn email-banner";
  box.setAttribute("role", "status");
  box.dataset.testid = "email-unverified-banner";
  const body = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = "Confirm your email address";
  const text = document.createElement("p");
  text.textContent = `We mailed a link to ${email}. Opening it confirms the address, which password recovery relies on (and which this server may require before you upload).`;
  body.append(title, text, resendAction());
  box.append(body);
  return box;
}

/** Puts the badge after `emailEl` and, when unverified, the banner into `bannerSlot`. */
export function mountEmailStatus(user: UserDto, emailEl: HTMLElement, bannerSlot: HTMLElement): void {
  emailEl.parentElement?.querySelector('[data-testid="email-status"]')?.remove();
  emailEl.after(badge(user.emailVerified));
  bannerSlot.replaceChildren(...(user.emailVerified ? [] : [banner(user.email)]));
  bannerSlot.hidden = user.emailVerified;
}
