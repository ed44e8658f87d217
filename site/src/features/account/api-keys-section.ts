/**
 * The account page's API keys section (ADR 0025): create a named, scoped key (its secret is
 * shown once, with a copy button), list live keys with their last use, revoke one.
 */
import type { ApiKeyDto, ApiKeyScope } from "@streamline/contracts";
import { ApiError } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { integrationsApi } from "./integrations-api.ts";
import { keyUsage } from "./integrations-format.ts";
import { checkedValues, chip, revealSecret } from "./secret-reveal.ts";

const message = (err: unknown) =>
  err instanceof ApiError ? err.message : "Something went wrong. Please try again.";

function keyRow(key: ApiKeyDto, onRevoke: (button: HTMLButtonElement) => void): HTMLLIElement {
  const li = document.createElement("li");
  li.className = "integration-row";
  li.dataset.testid = "api-key";
  li.dataset.keyId = key.id;
  const text = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = key.name;
  const prefix = document.createElement("code");
  prefix.textContent = `${key.prefix}…`;
  const scopes = document.createElement("div");
  scopes.className = "chips";
  scopes.append(...key.scopes.map((s) => chip(s)));
  const meta = document.createElement("span");
  meta.className = "muted";
  meta.textContent = keyUsage(key);
  text.append(title, " ", prefix, scopes, meta);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-secondary";
  button.dataset.testid = "revoke-api-key";
  button.textContent = "Revoke";
  button.setAttribute("aria-label", `Revoke ${key.name}`);
  button.addEventListener("click", () => onRevoke(button));
  li.append(text, button);
  return li;
}

export function mountApiKeys(root: HTMLElement): void {
  const $ = elementsOf(root, "API keys");
  const form = $(role("api-key-form"), HTMLFormElement);
  const list = $(role("api-keys"), HTMLUListElement);
  const empty = $(role("api-keys-empty"));
  const status = $(role("api-keys-status"));
  const secret = $(role("api-key-secret"));
  let keys: ApiKeyDto[] = [];

  const render = () => {
    list.replaceChildren(...keys.map((k) => keyRow(k, (button) => void revoke(k, button))));
    empty.hidden = keys.length > 0;
  };
  const say = (text: string, tone: "ok" | "error" = "ok") => {
    status.textContent = text;
    status.dataset.tone = tone;
  };

  const revoke = async (key: ApiKeyDto, button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      await integrationsApi.revokeApiKey(key.id);
      keys = keys.filter((k) => k.id !== key.id);
      render();
      say(`Revoked “${key.name}”. Requests with it now get 401.`);
    } catch (err) {
      button.disabled = false;
      say(message(err), "error");
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = (form.elements.namedItem("name") as HTMLInputElement).value.trim();
    const scopes = checkedValues(form, "scope") as ApiKeyScope[];
    if (!name || scopes.length === 0) return say("Give the key a name and at least one scope.", "error");
    try {
      const created = await integrationsApi.createApiKey({ name, scopes });
      keys = [created.apiKey, ...keys];
      render();
      form.reset();
      say("");
      revealSecret(secret, created.key);
    } catch (err) {
      say(message(err), "error");
    }
  });

  void (async () => {
    if ((await authSession.start()).status !== "signed-in") return;
    try {
      keys = (await integrationsApi.listApiKeys()).apiKeys;
      render();
      root.dataset.state = "ready";
    } catch (err) {
      root.dataset.state = "error";
      say(message(err), "error");
    }
  })();
}
