/**
 * The account page's "Linked accounts" section: the provider accounts that can sign in to
 * this account, unlinking one (refused while the account has no password, with the API's
 * sentence), and "Link Google" (a navigation to the provider, `intent=link`). The outcome of a
 * link comes back as `?linked=<provider>` or `?oidc_error=<code>` and is said in a sentence.
 */
import { ApiError, api, type IdentityListResponse, type OidcProviderId } from "../../lib/api.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { formatRelativeTime } from "../../lib/format.ts";
import { takeParam } from "../email/mail-link.ts";
import { oidcErrorSentence, startUrl } from "./oidc-messages.ts";

const NAMES: Record<string, string> = { google: "Google" };

function say(box: HTMLElement, text: HTMLElement, message: string | null, kind: "ok" | "error") {
  text.textContent = message ?? "";
  box.hidden = !message;
  box.classList.toggle("notice-error", kind === "error");
}

function identityRow(
  identity: IdentityListResponse["identities"][number],
  canUnlink: boolean,
  onUnlink: (b: HTMLButtonElement) => void,
) {
  const li = document.createElement("li");
  li.className = "identity";
  li.dataset.testid = "identity";
  li.dataset.provider = identity.provider;
  const text = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = identity.providerName;
  const meta = document.createElement("span");
  meta.className = "muted";
  const used = identity.lastUsedAt ? ` · last used ${formatRelativeTime(identity.lastUsedAt)}` : "";
  meta.textContent = `${identity.email ?? "no address shared"} · linked ${formatRelativeTime(identity.linkedAt)}${used}`;
  text.append(title, document.createElement("br"), meta);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-secondary";
  button.dataset.testid = "unlink-identity";
  button.textContent = "Unlink";
  // Without a password this is the only way in: the API refuses, so the button says so up front.
  button.disabled = !canUnlink;
  if (!canUnlink) button.setAttribute("aria-describedby", "linked-no-password");
  button.addEventListener("click", () => onUnlink(button));
  li.append(text, button);
  return li;
}

export async function mountLinkedAccounts(root: HTMLElement): Promise<void> {
  const $ = elementsOf(root, "linked accounts");
  const list = $(role("identities"), HTMLUListElement);
  const box = $(role("linked-notice"));
  const text = $(role("linked-notice-message"));
  const noPassword = $(role("no-password"));
  const linked = takeParam("linked", location, history);
  const failed = oidcErrorSentence(takeParam("oidc_error", location, history));
  if (failed) say(box, text, failed, "error");
  else if (linked && NAMES[linked])
    say(box, text, `${NAMES[linked]} is linked. You can now sign in with it.`, "ok");

  const [configured, mine] = await Promise.all([
    api.authProviders().then(
      (r) => new Set<string>(r.providers.map((p) => p.id)),
      () => new Set<string>(),
    ),
    api.identities().catch(() => null),
  ]);
  if (!mine) {
    root.dataset.state = "error";
    return;
  }
  render(root, list, noPassword, configured, mine, async (provider, button) => {
    button.disabled = true;
    try {
      await api.unlinkIdentity(provider);
      say(box, text, `${NAMES[provider] ?? provider} is unlinked.`, "ok");
      await mountAgain(root);
    } catch (err) {
      say(
        box,
        text,
        err instanceof ApiError ? sentence(err.message) : "Could not unlink. Please try again.",
        "error",
      );
      button.disabled = false;
    }
  });
}

/** Re-reads the list after a change (notices stay). */
async function mountAgain(root: HTMLElement) {
  root.dataset.state = "loading";
  await mountLinkedAccounts(root);
}

const sentence = (message: string) => `${message[0]!.toUpperCase()}${message.slice(1)}.`;

function render(
  root: HTMLElement,
  list: HTMLUListElement,
  noPassword: HTMLElement,
  configured: Set<string>,
  mine: IdentityListResponse,
  unlink: (provider: OidcProviderId, button: HTMLButtonElement) => void,
) {
  list.replaceChildren(
    ...mine.identities.map((i) => identityRow(i, mine.hasPassword, (b) => unlink(i.provider, b))),
  );
  const have = new Set<string>(mine.identities.map((i) => i.provider));
  for (const link of root.querySelectorAll<HTMLAnchorElement>("a[data-link-provider]")) {
    const provider = link.dataset.linkProvider ?? "";
    link.hidden = !configured.has(provider) || have.has(provider);
    link.href = startUrl(provider, { intent: "link", next: "/account" });
  }
  noPassword.hidden = mine.hasPassword || mine.identities.length === 0;
  root.hidden = configured.size === 0 && mine.identities.length === 0;
  root.dataset.state = mine.identities.length ? "linked" : "none";
}
