/**
 * `/verify-email?token=…`, the page the verification mail links to: the token leaves the
 * address bar at once, is posted to the API, and the page says what happened — verified, or
 * why not (expired, already used, not valid) with a way to get a new link. `data-state` on
 * the root: checking → verified | expired | used | invalid | error | missing.
 */
import { api } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { type LinkRefusal, refusalOf, refusalText, takeToken } from "./mail-link.ts";
import { resendAction } from "./resend-verification.ts";

type VerifyState = "checking" | "verified" | LinkRefusal | "missing";

function link(href: string, label: string, testid: string, secondary = false): HTMLAnchorElement {
  const a = document.createElement("a");
  a.href = href;
  a.className = secondary ? "button button-secondary" : "button";
  a.dataset.testid = testid;
  a.textContent = label;
  return a;
}

/** What a refused link can lead to: a new link if signed in (and not verified yet), else a login. */
async function recoveryActions(): Promise<{ nodes: HTMLElement[]; verified: boolean }> {
  const state = await authSession.start();
  if (state.status !== "signed-in") {
    return {
      nodes: [link("/login?next=%2Faccount", "Log in to get a new link", "verify-login")],
      verified: false,
    };
  }
  const me = await api.me().catch(() => null);
  if (me?.user.emailVerified) {
    return { nodes: [link("/account", "Go to your account", "verify-account")], verified: true };
  }
  return { nodes: [resendAction()], verified: false };
}

/** A refused link for an address that is verified anyway: nothing to ask for. */
function alreadyVerified(state: LinkRefusal | "missing"): string {
  return state === "used"
    ? "Each link works only once, and your address is verified already: there is nothing more to do."
    : "Your address is verified already: there is nothing more to do.";
}

export function mountVerifyEmailPage(root: HTMLElement): void {
  const token = takeToken(location, history);
  const $ = elementsOf(root, "verify email page");
  const title = $(role("title"));
  const message = $(role("message"));
  const actions = $(role("actions"));

  const show = (state: VerifyState, heading: string, text: string, nodes: HTMLElement[] = []) => {
    root.dataset.state = state;
    title.textContent = heading;
    message.textContent = text;
    actions.replaceChildren(...nodes);
  };

  const refused = async (state: LinkRefusal | "missing", err?: unknown) => {
    const text =
      state === "missing"
        ? {
            title: "This page needs the link from your mail",
            message: "Open the verification link in the mail we sent you, or send yourself a new one.",
          }
        : refusalText(state, "verification", err);
    if (state === "error" && token) {
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "button";
      retry.dataset.testid = "verify-retry";
      retry.textContent = "Try again";
      retry.addEventListener("click", () => void verify(token));
      return show(state, text.title, text.message, [retry]);
    }
    // The state changes once, with its actions: what a reader (or a test) sees is final.
    const { nodes, verified } = await recoveryActions();
    show(state, text.title, verified ? alreadyVerified(state) : text.message, nodes);
  };

  const verify = async (value: string) => {
    show("checking", "Checking your link…", "One moment.");
    try {
      await api.verifyEmail(value);
      show("verified", "Your email is verified", "Thank you — your address is confirmed.", [
        link("/account", "Go to your account", "verify-account"),
        link("/", "Browse videos", "verify-home", true),
      ]);
    } catch (err) {
      await refused(refusalOf(err), err);
    }
  };

  if (token) void verify(token);
  else void refused("missing");
}
