/**
 * `/link-account`: a provider vouched for an address an account already has (verified).
 * Nothing is linked until that account's password is proven here — never silently.
 */
import { ApiError, api } from "../../lib/api.ts";
import { fill, loadPending, onCancel, onSubmit, pendingPageElements } from "./pending-page.ts";

function explain(err: unknown): string | undefined {
  if (err instanceof ApiError && err.code === "invalid_credentials") return "That password is not right.";
  return undefined;
}

export async function mountLinkAccountPage(root: HTMLElement): Promise<void> {
  const page = pendingPageElements(root, "password");
  onCancel(root);
  const pending = await loadPending(page);
  if (!pending) return;
  if (pending.kind === "signup") {
    location.replace("/welcome");
    return;
  }
  fill(root, "provider", pending.provider.name);
  fill(root, "email", pending.email);
  onSubmit(page, (password) => api.oidcLink(password), explain);
  root.dataset.state = "ready";
  page.field.focus();
}
