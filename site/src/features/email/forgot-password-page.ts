/**
 * `/forgot-password`: an email field, and whatever the address, the same answer ("if an
 * account uses it, a link is on its way") — the API answers 202 alike for every address and
 * does the lookup after the response, so neither the page nor its timing tells anything.
 * `data-state`: ready → sending → sent | error.
 */
import { ApiError, api, type MailAccepted, type ValidationIssue } from "../../lib/api.ts";
import { elementsOf, role } from "../../lib/dom.ts";

export function sentMessage(email: string, res: MailAccepted): string {
  if (res.delivery !== "smtp") {
    return "This server has no mail delivery set up, so no mail can reach you. Ask the operator of this server to reset your password.";
  }
  return `If an account uses ${email}, we sent it a link to choose a new password. The link works once, for 30 minutes. Nothing after a few minutes? Check your spam folder, or try again.`;
}

export function mountForgotPasswordPage(root: HTMLElement): void {
  const $ = elementsOf(root, "forgot password page");
  const form = $(role("form"), HTMLFormElement);
  const input = $(role("email"), HTMLInputElement);
  const button = $('form button[type="submit"]', HTMLButtonElement);
  const emailError = $(role("email-error"));
  const error = $(role("error"));
  const errorMessage = $(`${role("error")} ${role("error-message")}`);
  const sent = $(role("sent"));
  const sentText = $(role("sent-message"));
  const again = $(role("again"), HTMLButtonElement);

  const fieldError = (message: string | null) => {
    emailError.textContent = message ?? "";
    emailError.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    fieldError(null);
    error.hidden = true;
    const email = input.value.trim();
    if (!email) return fieldError("Enter the email address of your account.");
    root.dataset.state = "sending";
    button.disabled = true;
    try {
      sentText.textContent = sentMessage(email, await api.forgotPassword(email));
      form.hidden = true;
      sent.hidden = false;
      root.dataset.state = "sent";
    } catch (err) {
      root.dataset.state = "error";
      const issue = err instanceof ApiError ? (err.issues?.[0] as ValidationIssue | undefined) : undefined;
      if (issue?.path === "email" && issue.message) fieldError(`${issue.message}.`);
      else {
        errorMessage.textContent =
          err instanceof ApiError ? err.message : "Something went wrong. Please try again.";
        error.hidden = false;
      }
    } finally {
      button.disabled = false;
    }
  });

  again.addEventListener("click", () => {
    sent.hidden = true;
    form.hidden = false;
    root.dataset.state = "ready";
    input.focus();
  });
  root.dataset.state = "ready";
}
