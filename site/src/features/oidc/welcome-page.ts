/**
 * `/welcome`: the first sign-in with a provider, before any account exists — pick the handle
 * (a free one suggested from the name), then the account and its channel are created.
 */
import { ApiError, api } from "../../lib/api.ts";
import { fill, loadPending, onCancel, onSubmit, pendingPageElements } from "./pending-page.ts";

function explain(err: unknown): string | undefined {
  if (err instanceof ApiError && err.code === "handle_taken") return "That handle is taken. Try another.";
  return undefined;
}

export async function mountWelcomePage(root: HTMLElement): Promise<void> {
  const page = pendingPageElements(root, "handle");
  onCancel(root);
  const pending = await loadPending(page);
  if (!pending) return;
  if (pending.kind === "link") {
    location.replace("/link-account");
    return;
  }
  fill(root, "provider", pending.provider.name);
  fill(root, "email", pending.email);
  fill(root, "name", pending.name ?? pending.email);
  page.field.value = pending.suggestedHandle ?? "";
  const preview = root.querySelector<HTMLElement>('[data-role="handle-preview"]');
  const update = () => {
    if (preview) preview.textContent = `/c/${page.field.value.trim().toLowerCase() || "…"}`;
  };
  page.field.addEventListener("input", update);
  update();
  onSubmit(page, (handle) => api.oidcComplete(handle.trim()), explain);
  root.dataset.state = "ready";
  page.field.focus();
}
