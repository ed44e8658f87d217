/**
 * What the login page does with a provider round-trip's outcome:
 * - `?oidc=signed-in&next=…`: the edge just set the refresh cookie; trade it for a token
 *   (which also tells this tab, and the session hint, that it is signed in) and go on;
 * - `?error=<code>`: say in a sentence why the provider sign-in was refused.
 * Both parameters leave the address bar, so a reload does not repeat them.
 */
import { authSession, safeNext } from "../../lib/auth-session.ts";
import { takeParam } from "../email/mail-link.ts";
import { oidcErrorSentence } from "./oidc-messages.ts";

function showError(root: HTMLElement, sentence: string) {
  const box = root.querySelector<HTMLElement>('[data-role="error"]');
  const text = root.querySelector<HTMLElement>('[data-role="error-message"]');
  if (!box || !text) return;
  text.textContent = sentence;
  box.hidden = false;
}

/** True when the page is on its way elsewhere (signed in): don't mount the form. */
export async function handleProviderReturn(root: HTMLElement): Promise<boolean> {
  const outcome = takeParam("oidc", location, history);
  const error = oidcErrorSentence(takeParam("error", location, history));
  if (error) showError(root, error);
  if (outcome !== "signed-in") return false;
  root.dataset.state = "finishing";
  const next = safeNext(new URLSearchParams(location.search).get("next"));
  if (await authSession.refresh()) {
    location.replace(next);
    return true;
  }
  showError(root, "Signing in with Google did not finish (the session was not found). Please try again.");
  return false;
}
