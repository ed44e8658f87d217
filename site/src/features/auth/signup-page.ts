/** The signup page (`/signup`): email, handle and password, then back to `?next=`. */
import { authSession } from "../../lib/auth-session.ts";
import { mountAuthForm } from "./auth-form.ts";

export function mountSignupPage(root: HTMLElement): void {
  mountAuthForm(root, ["email", "handle", "password"], ({ email, handle, password }) =>
    authSession.signUp({ email, handle, password }),
  );
}
