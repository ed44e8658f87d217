/**
 * The header's account links: "Log in / Sign up" or "@handle · Log out", from this tab's
 * session. Also the gate for pages that need a user: once the first refresh says nobody
 * is signed in, they go to `/login?next=<this page>`.
 */
import { type AuthState, authSession, loginUrl, requiresUser } from "../../lib/auth-session.ts";
import { elementsOf } from "../../lib/dom.ts";

const AUTH_PAGES = new Set(["/login", "/signup"]);

export function mountAuthNav(doc: Document): void {
  const $ = elementsOf(doc, "site header");
  const nav = $('[data-testid="auth-nav"]');
  const handle = $('[data-testid="auth-nav"] [data-testid="nav-user"]');
  const logout = $('[data-testid="auth-nav"] [data-testid="nav-logout"]', HTMLButtonElement);
  const here = `${location.pathname}${location.search}`;

  const render = (state: AuthState) => {
    nav.dataset.state =
      state.status === "signed-in" ? "signed-in" : state.status === "unknown" ? "loading" : "anonymous";
    handle.textContent = state.user ? `@${state.user.handle}` : "";
    // Come back here after logging in (but not to the login page itself).
    if (!AUTH_PAGES.has(location.pathname)) {
      for (const link of nav.querySelectorAll<HTMLAnchorElement>("a[data-next]")) {
        link.href = `${link.pathname}?next=${encodeURIComponent(here)}`;
      }
    }
  };

  render(authSession.state());
  authSession.subscribe((state) => {
    render(state);
    if (state.status === "anonymous" && requiresUser(location.pathname)) location.replace(loginUrl(here));
  });

  logout.addEventListener("click", async (event) => {
    const button = event.currentTarget as HTMLButtonElement;
    button.disabled = true;
    try {
      await authSession.signOut();
    } finally {
      location.assign("/");
    }
  });

  void authSession.start();
}
