/**
 * The behaviour the login and signup pages share (`auth-form.astro`): submit through the
 * session (which keeps the access token in memory and gets the refresh cookie set), show the
 * API's messages next to the fields they concern, then go back to where the visitor came from
 * (`?next=`, same-site only).
 */
import { ApiError, type ValidationIssue } from "../../lib/api.ts";
import { authSession, safeNext } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";

export type AuthField = "email" | "password" | "handle";

function nextPath(): string {
  return safeNext(new URLSearchParams(location.search).get("next"));
}

function messageFor(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === "invalid_credentials") return "Email or password is incorrect.";
    if (err.code === "validation_failed") return "Please fix the highlighted fields.";
    return err.message;
  }
  return "Something went wrong. Please try again.";
}

export function mountAuthForm(
  root: HTMLElement,
  fields: AuthField[],
  submit: (values: Record<AuthField, string>) => Promise<unknown>,
) {
  const $ = elementsOf(root, `${root.dataset.testid ?? "auth"} page`);
  const form = $("form", HTMLFormElement);
  const error = $(role("error"));
  const errorMessage = $(`${role("error")} ${role("error-message")}`);
  const button = $('form button[type="submit"]', HTMLButtonElement);

  const fieldError = (field: string) => root.querySelector<HTMLElement>(`[data-role="${field}-error"]`);
  const clear = () => {
    error.hidden = true;
    for (const f of fields) {
      const el = fieldError(f);
      if (el) {
        el.textContent = "";
        el.hidden = true;
      }
      const input = form.elements.namedItem(f);
      if (input instanceof HTMLInputElement) input.removeAttribute("aria-invalid");
    }
  };

  // Already signed in (e.g. a second tab): no form needed.
  void authSession.start().then((state) => {
    if (state.status === "signed-in") location.replace(nextPath());
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear();
    root.dataset.state = "submitting";
    button.disabled = true;
    const data = new FormData(form);
    const values = Object.fromEntries(fields.map((f) => [f, String(data.get(f) ?? "")])) as Record<
      AuthField,
      string
    >;
    try {
      await submit(values);
      root.dataset.state = "done";
      location.assign(nextPath());
    } catch (err) {
      root.dataset.state = "error";
      errorMessage.textContent = messageFor(err);
      error.hidden = false;
      if (err instanceof ApiError) {
        for (const issue of (err.issues ?? []) as ValidationIssue[]) {
          const el = issue.path ? fieldError(issue.path) : null;
          if (el && issue.message) {
            el.textContent = issue.message;
            el.hidden = false;
            (form.elements.namedItem(issue.path!) as HTMLInputElement | null)?.setAttribute(
              "aria-invalid",
              "true",
            );
          }
        }
      }
      button.disabled = false;
    }
  });
  root.dataset.state = "ready";
}
