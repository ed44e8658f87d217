/**
 * Account settings: who is signed in, and every device with a live session — each can be
 * signed out ("log out other devices"). Signing out the current one is a normal logout.
 */
import { ApiError, api, type SessionDto } from "../../lib/api.ts";
import { authSession } from "../../lib/auth-session.ts";
import { elementsOf, role } from "../../lib/dom.ts";
import { formatRelativeTime } from "../../lib/format.ts";
import { mountEmailStatus } from "../email/email-status.ts";

function describeDevice(userAgent: string): string {
  if (!userAgent) return "Unknown device";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Chrome\//.test(userAgent)
      ? "Chrome"
      : /Firefox\//.test(userAgent)
        ? "Firefox"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : null;
  const os = /Windows/.test(userAgent)
    ? "Windows"
    : /Android/.test(userAgent)
      ? "Android"
      : /iPhone|iPad/.test(userAgent)
        ? "iOS"
        : /Mac OS X/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  return browser && os ? `${browser} on ${os}` : userAgent.slice(0, 60);
}

/** One signed-in session: the device, when and where, and its sign-out button. */
function sessionRow(s: SessionDto, onRevoke: (button: HTMLButtonElement) => void): HTMLLIElement {
  const li = document.createElement("li");
  li.className = "session";
  li.dataset.testid = "session";
  li.dataset.sessionId = s.id;
  li.dataset.current = String(s.current);
  const text = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = describeDevice(s.userAgent) + (s.current ? " · this device" : "");
  const meta = document.createElement("span");
  meta.className = "muted";
  meta.textContent = `Signed in ${formatRelativeTime(s.createdAt)} · last active ${formatRelativeTime(s.lastUsedAt)} · ${s.ip}`;
  text.append(title, document.createElement("br"), meta);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-secondary";
  button.dataset.testid = "revoke-session";
  button.textContent = s.current ? "Log out" : "Sign out";
  button.addEventListener("click", () => onRevoke(button));
  li.append(text, button);
  return li;
}

export function mountAccountPage(root: HTMLElement): void {
  const $ = elementsOf(root, "account page");
  const list = $(role("sessions"), HTMLUListElement);
  const error = $(role("error"));
  const errorMessage = $(`${role("error")} ${role("error-message")}`);
  const email = $(role("email"));
  const handle = $(role("handle"));
  const others = $(role("sign-out-others"), HTMLButtonElement);
  let sessions: SessionDto[] = [];

  const showError = (err: unknown) => {
    errorMessage.textContent =
      err instanceof ApiError ? err.message : "Something went wrong. Please try again.";
    error.hidden = false;
  };

  const render = () => {
    list.replaceChildren(...sessions.map((s) => sessionRow(s, (button) => void revoke(s, button))));
    others.hidden = !sessions.some((s) => !s.current);
  };

  const revoke = async (session: SessionDto, button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      if (session.current) {
        await authSession.signOut();
        location.assign("/");
        return;
      }
      await api.revokeSession(session.id);
      sessions = sessions.filter((s) => s.id !== session.id);
      render();
    } catch (err) {
      button.disabled = false;
      showError(err);
    }
  };

  others.addEventListener("click", async () => {
    others.disabled = true;
    try {
      for (const s of sessions.filter((x) => !x.current)) await api.revokeSession(s.id);
      sessions = sessions.filter((s) => s.current);
      render();
    } catch (err) {
      showError(err);
    } finally {
      others.disabled = false;
    }
  });

  const load = async () => {
    const state = await authSession.start();
    if (state.status !== "signed-in") return; // the layout sends anonymous visitors to /login
    try {
      const [me, list] = await Promise.all([api.me(), api.listSessions()]);
      email.textContent = me.user.email;
      mountEmailStatus(me.user, email, $(role("email-banner")));
      handle.textContent = `@${me.user.handle}`;
      sessions = list.sessions;
      render();
      root.dataset.state = "ready";
    } catch (err) {
      root.dataset.state = "error";
      showError(err);
    }
  };
  void load();
}
