/**
 * "Resend verification email": one button and a status line, built here so the account page,
 * the verify page and the upload page's `email_unverified` refusal all offer the same action.
 */
import { ApiError, api, type MailAccepted } from "../../lib/api.ts";

/** What to tell the person after the API accepted the request. */
export function resendMessage(res: MailAccepted): string {
  return res.delivery === "smtp"
    ? "A new verification link is on its way. Check your inbox (and spam folder); it works for 48 hours."
    : "This server has no mail delivery set up, so the link only reached the operator's log. Ask the operator to verify your address.";
}

function failureMessage(err: unknown): string {
  if (err instanceof ApiError && err.code === "already_verified")
    return "Your address is verified already: there is nothing more to do.";
  if (err instanceof ApiError && err.status === 429) return "Too many requests. Wait a minute and try again.";
  if (err instanceof ApiError && err.status === 401) return "Log in again to get a new link.";
  return "Could not send a new link. Please try again.";
}

/** The button and its status line; `resend` is injectable for tests of the wiring. */
export function resendAction(resend: () => Promise<MailAccepted> = api.resendVerification): HTMLElement {
  const box = document.createElement("div");
  box.className = "resend-action";
  box.dataset.testid = "resend";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-secondary";
  button.dataset.testid = "resend-verification";
  button.textContent = "Resend verification email";
  const status = document.createElement("p");
  status.className = "muted";
  status.setAttribute("role", "status");
  status.dataset.testid = "resend-status";
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "Sending…";
    try {
      status.textContent = resendMessage(await resend());
      box.dataset.state = "sent";
      // Stays disabled: the server sends at most 3 a hour anyway, and one is on its way.
    } catch (err) {
      status.textContent = failureMessage(err);
      box.dataset.state = "error";
      button.disabled = false;
    }
  });
  box.append(button, status);
  return box;
}

export function isEmailUnverified(err: unknown): boolean {
  return err instanceof ApiError && err.code === "email_unverified";
}

/** Fills `target` (an error notice's text) with the refusal in words and the resend action. */
export function explainEmailUnverified(target: HTMLElement): void {
  const sentence = document.createElement("p");
  sentence.className = "email-unverified";
  sentence.dataset.testid = "email-unverified";
  sentence.textContent =
    "Confirm your email address first: this server lets only verified accounts upload. Open the link we mailed you, or send yourself a new one.";
  target.replaceChildren(sentence, resendAction());
}
