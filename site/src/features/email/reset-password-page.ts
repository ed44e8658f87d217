/**
 * `/reset-password?token=…`, the page the reset mail links to. The token leaves the address
 * bar at once and stays in memory; the form asks for the new password twice under the
 * signup's rules. Success signs every session out (the API revokes them; this tab forgets
 * its own) and goes to the login page with a notice. `data-state`: ready → submitting →
 * done, or missing / expired / used / invalid (the link is refused) / error (try again).
 */
import { PASSWORD_MIN } from "@streamline/contracts";
import { ApiError, api, type ValidationIssue } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { refusalOf, refusalText, takeToken } from "./mail-link.ts";

/** Where a successful reset lands: the login page shows its notice for this. */
export const AFTER_RESET = "/login?notice=password-reset";

/** Checks the browser can make before asking the API; the API applies the full rules. */
export function localIssues(password: string, confirm: string): { password?: string; confirm?: string } {
  if (password.length < PASSWORD_MIN) return { password: `Use at least ${PASSWORD_MIN} characters.` };
  if (password !== confirm) return { confirm: "The two passwords are not the same." };
  return {};
}

function resetElements(root: HTMLElement) {
  const $ = elementsOf(root, "reset password page");
  return {
    form: $(role("form"), HTMLFormElement),
    password: $(role("password"), HTMLInputElement),
    confirm: $(role("confirm"), HTMLInputElement),
    passwordError: $(role("password-error")),
    confirmError: $(role("confirm-error")),
    button: $('form button[type="submit"]', HTMLButtonElement),
    error: $(role("error")),
    errorMessage: $(`${role("error")} ${role("error-message")}`),
    intro: $(role("intro")),
    refused: $(role("refused")),
    refusedTitle: $(role("refused-title")),
    refusedMessage: $(role("refused-message")),
  };
}

type ResetElements = ReturnType<typeof resetElements>;

function fieldErrors(el: ResetElements, issues: { password?: string | undefined; confirm?: string }) {
  for (const [input, line, message] of [
    [el.password, el.passwordError, issues.password],
    [el.confirm, el.confirmError, issues.confirm],
  ] as const) {
    line.textContent = message ?? "";
    line.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

/** The link itself was refused (or is missing): no form, a way to ask for a new one. */
function showRefused(
  root: HTMLElement,
  el: ResetElements,
  state: string,
  text: { title: string; message: string },
) {
  root.dataset.state = state;
  el.form.hidden = true;
  el.intro.hidden = true;
  el.refusedTitle.textContent = text.title;
  el.refusedMessage.textContent = text.message;
  el.refused.hidden = false;
}

async function submit(root: HTMLElement, el: ResetElements, token: string): Promise<void> {
  const password = el.password.value;
  fieldErrors(el, localIssues(password, el.confirm.value));
  el.error.hidden = true;
  if (!el.passwordError.hidden || !el.confirmError.hidden) return;
  root.dataset.state = "submitting";
  el.button.disabled = true;
  try {
    await api.resetPassword(token, password);
    root.dataset.state = "done";
    // Every session was revoked by the API; this tab drops its own (and its cookie) too.
    if (authSession.state().status === "signed-in") await authSession.signOut().catch(() => {});
    location.assign(AFTER_RESET);
  } catch (err) {
    el.button.disabled = false;
    const refusal = refusalOf(err);
    const issue = err instanceof ApiError ? (err.issues?.[0] as ValidationIssue | undefined) : undefined;
    if (issue?.path === "password" && issue.message) {
      root.dataset.state = "ready";
      fieldErrors(el, { password: `${issue.message.charAt(0).toUpperCase()}${issue.message.slice(1)}.` });
    } else if (refusal === "error") {
      root.dataset.state = "error";
      el.errorMessage.textContent = refusalText("error", "reset", err).message;
      el.error.hidden = false;
    } else showRefused(root, el, refusal, refusalText(refusal, "reset"));
  }
}

export function mountResetPasswordPage(root: HTMLElement): void {
  const token = takeToken(location, history);
  const el = resetElements(root);
  if (!token) {
    showRefused(root, el, "missing", {
      title: "This page needs the link from your mail",
      message: "Open the reset link in the mail we sent you, or ask for a new one.",
    });
    return;
  }
  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit(root, el, token);
  });
  root.dataset.state = "ready";
}
