/**
 * "Sign in with Google" on /login and /signup: hidden until the edge says the provider is
 * configured (`GET /api/auth/providers`), so a deployment without it shows only the
 * password form. Each button is a plain link to the provider's start URL carrying `?next=`.
 */
import { api } from "../../lib/api.ts";
import { startUrl } from "./oidc-messages.ts";

export async function mountSignInButtons(root: HTMLElement): Promise<void> {
  const next = new URLSearchParams(location.search).get("next");
  let configured: Set<string>;
  try {
    configured = new Set((await api.authProviders()).providers.map((p) => p.id));
  } catch {
    // No answer: the password form still works; offer nothing we can't vouch for.
    configured = new Set();
  }
  let shown = 0;
  for (const link of root.querySelectorAll<HTMLAnchorElement>("a[data-provider]")) {
    const provider = link.dataset.provider ?? "";
    link.hidden = !configured.has(provider);
    link.href = startUrl(provider, { next });
    if (!link.hidden) shown++;
  }
  root.hidden = shown === 0;
  root.dataset.state = shown ? "ready" : "none";
}
