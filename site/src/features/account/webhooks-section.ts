/**
 * The account page's Webhooks section (ADR 0025): add an endpoint (its signing secret is
 * shown once), switch one on or off, delete it, and open its delivery log — each delivery's
 * status, attempts, response code and latency, with "Redeliver".
 */
import type { WebhookDeliveryDto, WebhookDto, WebhookEventType } from "@streamline/contracts";
import { ApiError } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { integrationsApi } from "./integrations-api.ts";
import { deliverySummary, webhookState } from "./integrations-format.ts";
import { checkedValues, chip, revealSecret } from "./secret-reveal.ts";

const message = (err: unknown) =>
  err instanceof ApiError ? err.message : "Something went wrong. Please try again.";

function button(text: string, testid: string, onClick: (b: HTMLButtonElement) => void, label?: string) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "button button-secondary";
  b.dataset.testid = testid;
  b.textContent = text;
  if (label) b.setAttribute("aria-label", label);
  b.addEventListener("click", () => onClick(b));
  return b;
}

function deliveryRow(d: WebhookDeliveryDto, onRedeliver: (b: HTMLButtonElement) => void): HTMLLIElement {
  const li = document.createElement("li");
  li.className = "delivery";
  li.dataset.testid = "webhook-delivery";
  li.dataset.status = d.status;
  li.dataset.attempts = String(d.attempts.length);
  const text = document.createElement("div");
  const type = document.createElement("strong");
  type.textContent = d.type;
  const summary = document.createElement("span");
  summary.className = "muted";
  summary.textContent = deliverySummary(d);
  const attempts = document.createElement("ol");
  attempts.className = "attempts";
  for (const a of d.attempts) {
    const item = document.createElement("li");
    item.textContent = `#${a.attempt} ${a.outcome}${a.responseCode !== null ? ` · HTTP ${a.responseCode}` : ""}${a.latencyMs !== null ? ` · ${a.latencyMs} ms` : ""}`;
    attempts.append(item);
  }
  text.append(type, " ", summary, attempts);
  li.append(text, button("Redeliver", "redeliver", onRedeliver, `Redeliver ${d.type}`));
  return li;
}

type Say = (text: string, tone?: "ok" | "error") => void;

/** Loads an endpoint's delivery log into `box`, each delivery with its "Redeliver" button. */
async function showDeliveries(hook: WebhookDto, box: HTMLUListElement, say: Say): Promise<void> {
  box.hidden = false;
  try {
    const { deliveries } = await integrationsApi.deliveries(hook.id);
    const redeliver = (d: WebhookDeliveryDto) => async (b: HTMLButtonElement) => {
      b.disabled = true;
      try {
        await integrationsApi.redeliver(hook.id, d.id);
        say(`Queued ${d.type} again (same event id).`);
        setTimeout(() => void showDeliveries(hook, box, say), 1500);
      } catch (err) {
        b.disabled = false;
        say(message(err), "error");
      }
    };
    box.replaceChildren(...deliveries.map((d) => deliveryRow(d, redeliver(d))));
    if (deliveries.length === 0) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = "No deliveries yet.";
      box.append(none);
    }
  } catch (err) {
    say(message(err), "error");
  }
}

interface HookActions {
  say: Say;
  toggle(hook: WebhookDto, b: HTMLButtonElement): void;
  remove(hook: WebhookDto, b: HTMLButtonElement): void;
}

function hookRow(hook: WebhookDto, actions: HookActions): HTMLLIElement {
  const li = document.createElement("li");
  li.className = "integration-row webhook";
  li.dataset.testid = "webhook";
  li.dataset.webhookId = hook.id;
  const text = document.createElement("div");
  const url = document.createElement("code");
  url.className = "webhook-url";
  url.textContent = hook.url;
  const events = document.createElement("div");
  events.className = "chips";
  events.append(...hook.events.map((e) => chip(e)));
  const state = document.createElement("span");
  state.className = hook.enabled ? "muted" : "webhook-off";
  state.dataset.testid = "webhook-state";
  state.textContent = webhookState(hook);
  const log = document.createElement("ul");
  log.className = "deliveries";
  log.dataset.testid = "webhook-deliveries";
  log.hidden = true;
  text.append(url, events, state);
  const row = document.createElement("div");
  row.className = "row-actions";
  row.append(
    button("Deliveries", "show-deliveries", () => void showDeliveries(hook, log, actions.say)),
    button(hook.enabled ? "Disable" : "Enable", "toggle-webhook", (b) => actions.toggle(hook, b)),
    button("Delete", "delete-webhook", (b) => actions.remove(hook, b), `Delete ${hook.url}`),
  );
  li.append(text, row, log);
  return li;
}

export function mountWebhooks(root: HTMLElement): void {
  const $ = elementsOf(root, "webhooks");
  const form = $(role("webhook-form"), HTMLFormElement);
  const list = $(role("webhooks"), HTMLUListElement);
  const empty = $(role("webhooks-empty"));
  const status = $(role("webhooks-status"));
  const secret = $(role("webhook-secret"));
  let hooks: WebhookDto[] = [];

  const say: Say = (text, tone = "ok") => {
    status.textContent = text;
    status.dataset.tone = tone;
  };

  const render = () => {
    const actions: HookActions = {
      say,
      toggle: (hook, b) => void toggle(hook, b),
      remove: (hook, b) => void remove(hook, b),
    };
    list.replaceChildren(...hooks.map((h) => hookRow(h, actions)));
    empty.hidden = hooks.length > 0;
  };

  const toggle = async (hook: WebhookDto, b: HTMLButtonElement) => {
    b.disabled = true;
    try {
      const updated = await integrationsApi.updateWebhook(hook.id, { enabled: !hook.enabled });
      hooks = hooks.map((h) => (h.id === hook.id ? updated : h));
      render();
    } catch (err) {
      b.disabled = false;
      say(message(err), "error");
    }
  };

  const remove = async (hook: WebhookDto, b: HTMLButtonElement) => {
    b.disabled = true;
    try {
      await integrationsApi.deleteWebhook(hook.id);
      hooks = hooks.filter((h) => h.id !== hook.id);
      render();
      say("Endpoint deleted.");
    } catch (err) {
      b.disabled = false;
      say(message(err), "error");
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const url = (form.elements.namedItem("url") as HTMLInputElement).value.trim();
    const events = checkedValues(form, "event") as WebhookEventType[];
    if (!url || events.length === 0) return say("Give a URL and at least one event.", "error");
    try {
      const created = await integrationsApi.createWebhook({ url, events });
      hooks = [created.webhook, ...hooks];
      render();
      form.reset();
      say("");
      revealSecret(secret, created.secret);
    } catch (err) {
      say(message(err), "error");
    }
  });

  void (async () => {
    if ((await authSession.start()).status !== "signed-in") return;
    try {
      hooks = (await integrationsApi.listWebhooks()).webhooks;
      render();
      root.dataset.state = "ready";
    } catch (err) {
      root.dataset.state = "error";
      say(message(err), "error");
    }
  })();
}
