/**
 * What the two follow-up pages of a provider sign-in share (/welcome: pick a handle;
 * /link-account: the existing account's password): load the pending sign-in the edge keeps
 * in this browser's cookie, show "expired" when there is none, submit, then sign this tab in
 * with the cookie the answer set and go where the visitor was going.
 */
import { ApiError, api, type OidcSignedIn, type PendingSignIn, type ValidationIssue } from "../../lib/api.ts";
import { authSession, safeNext } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";

export interface PendingPage {
  root: HTMLElement;
  form: HTMLFormElement;
  field: HTMLInputElement;
  fieldError: HTMLElement;
  error: HTMLElement;
  errorMessage: HTMLElement;
  button: HTMLButtonElement;
}

export function pendingPageElements(root: HTMLElement, fieldName: string): PendingPage {
  const $ = elementsOf(root, `${root.dataset.testid ?? "pending"} page`);
  const form = $("form", HTMLFormElement);
  return {
    root,
    form,
    field: $(`input[name="${fieldName}"]`, HTMLInputElement),
    fieldError: $(role(`${fieldName}-error`)),
    error: $(role("error")),
    errorMessage: $(role("error-message")),
    button: $('form button[type="submit"]', HTMLButtonElement),
  };
}

/** The pending sign-in, or null after showing the "expired" state (none, expired or used). */
export async function loadPending(page: PendingPage): Promise<PendingSignIn | null> {
  try {
    return await api.oidcPending();
  } catch (err) {
    if (err instanceof ApiError && err.notFound) page.root.dataset.state = "expired";
    else showError(page, err);
    return null;
  }
}

export function fill(root: HTMLElement, name: string, text: string) {
  for (const el of root.querySelectorAll<HTMLElement>(role(name))) el.textContent = text;
}

export function showError(page: PendingPage, err: unknown, fieldMessage?: string) {
  page.root.dataset.state = "error";
  const issue = err instanceof ApiError ? ((err.issues ?? []) as ValidationIssue[])[0] : undefined;
  const onField = fieldMessage ?? issue?.message;
  page.fieldError.textContent = onField ?? "";
  page.fieldError.hidden = !onField;
  page.field.toggleAttribute("aria-invalid", Boolean(onField));
  page.errorMessage.textContent =
    err instanceof ApiError
      ? err.message[0]!.toUpperCase() + err.message.slice(1)
      : "Something went wrong. Please try again.";
  page.error.hidden = false;
  page.button.disabled = false;
}

/** Submits with `send`; on success this tab is signed in and leaves for `next`. */
export function onSubmit(
  page: PendingPage,
  send: (value: string) => Promise<OidcSignedIn>,
  explain: (err: unknown) => string | undefined,
) {
  page.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    page.error.hidden = true;
    page.fieldError.hidden = true;
    page.button.disabled = true;
    page.root.dataset.state = "submitting";
    try {
      const done = await send(page.field.value);
      // The answer set the refresh cookie: trade it for this tab's token (and tell other tabs).
      await authSession.refresh();
      page.root.dataset.state = "done";
      location.assign(safeNext(done.next));
    } catch (err) {
      if (err instanceof ApiError && err.code === "no_pending_sign_in") page.root.dataset.state = "expired";
      else showError(page, err, explain(err));
    }
  });
}

/** "Not you? Start over": forget the pending sign-in and go back to the login page. */
export function onCancel(root: HTMLElement) {
  root.querySelector<HTMLButtonElement>(role("cancel"))?.addEventListener("click", async () => {
    await api.oidcCancel().catch(() => undefined);
    location.assign("/login");
  });
}
