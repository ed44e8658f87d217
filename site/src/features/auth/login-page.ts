/** The login page (`/login`): email and password, then back to `?next=`. */
import { authSession } from "../../lib/auth-session.ts";
import { mountAuthForm } from "./auth-form.ts";

export function mountLoginPage(root: HTMLElement): void {
  mountAuthForm(root, ["email", "password"], ({ email, password }) =>
    authSession.signIn({ email, password }),
  );
}
