/**
 * What a verified provider identity means for Streamline accounts (ADR 0012):
 *
 * - a known identity (provider + subject in `user_identities`) signs its account in, with the
 *   same session machinery as a password login (AuthService);
 * - an unknown one whose address no account has becomes a *pending sign-up*: nothing is
 *   created until the person picks a handle (`completeSignup`);
 * - an unknown one whose address an account has, verified, becomes a *pending link*: linked
 *   only once that account's password is proven (`linkWithPassword`), never silently;
 * - an account whose address is not verified is never linked by address (anyone could have
 *   typed it at signup): the person signs in with the password and links from settings;
 * - a signed-in user links from settings (`linkToUser`), unless the identity is someone else's.
 *
 * Accounts made this way have no password (`NO_PASSWORD`); they may unlink their provider only
 * after setting one (the reset mail), or they could not sign in any more.
 */
import type { IdentityListResponse, OidcProviderId, PendingSignIn } from "@streamline/contracts";
import { Email } from "@streamline/contracts";
import type { UserRow } from "../../db/schema.ts";
import { AppError } from "../../lib/errors.ts";
import { hasPassword, NO_PASSWORD } from "../../lib/passwords.ts";
import type { Services } from "../../lib/services.ts";
import {
  AuthService,
  type ClientInfo,
  type DeviceProof,
  hashRefreshToken,
  newUserId,
} from "../auth/auth.service.ts";
import { SessionsRepo } from "../auth/sessions.repo.ts";
import { UsersRepo } from "../auth/users.repo.ts";
import { suggestHandle } from "./handle-suggestion.ts";
import { IdentitiesRepo } from "./identities.repo.ts";
import { OidcRefusal, type VerifiedIdentity } from "./oidc-client.ts";
import { providerName } from "./providers.ts";

/** A sign-in waiting for a handle or a password (sealed in the pending cookie). */
export interface PendingIdentity {
  provider: OidcProviderId;
  subject: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  kind: "signup" | "link";
  /** `link`: the account that has the address. */
  userId?: string | undefined;
  next: string;
}

export type SignInOutcome =
  | { kind: "signed-in"; session: Awaited<ReturnType<AuthService["signInProven"]>> }
  | { kind: "pending"; pending: PendingIdentity };

export interface OidcDeps {
  identities: IdentitiesRepo;
  users: UsersRepo;
  sessions: SessionsRepo;
  auth: AuthService;
  now?: () => number;
}

const identityTaken = (provider: OidcProviderId) =>
  new AppError(
    409,
    "identity_taken",
    `this ${providerName(provider)} account is already linked to another Streamline account`,
  );

export class OidcService {
  static from(services: Pick<Services, "db" | "config">, extra: Partial<OidcDeps> = {}): OidcService {
    return new OidcService({
      identities: new IdentitiesRepo(services.db),
      users: new UsersRepo(services.db),
      sessions: new SessionsRepo(services.db),
      auth: AuthService.from(services),
      ...extra,
    });
  }

  private readonly deps: OidcDeps;
  constructor(deps: OidcDeps) {
    this.deps = deps;
  }

  private now() {
    return this.deps.now?.() ?? Date.now();
  }

  /** Sign-in from the login or signup page: a session, or a pending sign-up / link. */
  async signIn(
    provider: OidcProviderId,
    identity: VerifiedIdentity,
    next: string,
    client: ClientInfo,
  ): Promise<SignInOutcome> {
    const { identities, users, auth } = this.deps;
    const known = await identities.find(provider, identity.subject);
    const owner = known && (await users.find(known.userId));
    if (owner) {
      // A suspended account is refused before anything is recorded (ADR 0024); the refusal is a
      // page that says so, like every other callback refusal, not the JSON 403 of a login.
      if (owner.suspendedAt !== null) throw new OidcRefusal("oidc_suspended", "the account is suspended");
      await identities.touch(provider, identity.subject, this.now());
      return { kind: "signed-in", session: await auth.signInProven(owner, client) };
    }
    const email = Email.safeParse(identity.email ?? "");
    if (!email.success) throw new OidcRefusal("oidc_no_email", "the provider shared no usable email address");
    const pending = { provider, subject: identity.subject, email: email.data, next };
    const holder = await users.findByEmail(email.data);
    const base = { ...pending, emailVerified: identity.emailVerified, name: identity.name };
    if (!holder) return { kind: "pending", pending: { ...base, kind: "signup" } };
    if (holder.suspendedAt !== null) {
      throw new OidcRefusal("oidc_suspended", "the account with this address is suspended");
    }
    if (holder.emailVerifiedAt === null) {
      throw new OidcRefusal("oidc_unverified_account", "an account has this address but never verified it");
    }
    return { kind: "pending", pending: { ...base, kind: "link", userId: holder.id } };
  }

  /** From account settings: the identity becomes the signed-in user's. */
  async linkToUser(userId: string, provider: OidcProviderId, identity: VerifiedIdentity): Promise<void> {
    const { identities, users } = this.deps;
    if (!(await users.find(userId))) throw new OidcRefusal("oidc_signed_out", "the account is gone");
    const known = await identities.find(provider, identity.subject);
    if (known && known.userId !== userId)
      throw new OidcRefusal("oidc_identity_taken", "linked to another user");
    if (known) return;
    const mine = await identities.listForUser(userId);
    if (mine.some((i) => i.provider === provider)) {
      throw new OidcRefusal("oidc_already_linked", "another account of this provider is linked already");
    }
    const email = Email.safeParse(identity.email ?? "");
    const row = { provider, subject: identity.subject, userId, email: email.success ? email.data : null };
    if (!(await identities.insert({ ...row, linkedAt: this.now() }))) {
      throw new OidcRefusal("oidc_identity_taken", "linked to another user meanwhile");
    }
  }

  /** What the follow-up page shows; a sign-up also gets a free handle to start from. */
  async describe(pending: PendingIdentity, expiresAt: number): Promise<PendingSignIn> {
    const now = this.now();
    const suggestedHandle =
      pending.kind === "signup"
        ? await suggestHandle(pending.name, pending.email, (h) => this.deps.identities.handleIsFree(h, now))
        : null;
    return {
      provider: { id: pending.provider, name: providerName(pending.provider) },
      kind: pending.kind,
      email: pending.email,
      emailVerified: pending.emailVerified,
      name: pending.name,
      suggestedHandle,
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  /** The account, its channel and its identity, then a session. Nothing existed before this. */
  async completeSignup(pending: PendingIdentity, handle: string, client: ClientInfo) {
    if (pending.kind !== "signup") throw noPending();
    const { identities, users, auth } = this.deps;
    if (await identities.find(pending.provider, pending.subject)) throw identityTaken(pending.provider);
    const now = this.now();
    const user: UserRow = {
      id: newUserId(),
      email: pending.email,
      handle,
      passwordHash: NO_PASSWORD,
      // The provider vouched for the address: as good as our own verification mail.
      emailVerifiedAt: pending.emailVerified ? now : null,
      suspendedAt: null,
      suspendReason: null,
      createdAt: now,
      updatedAt: now,
    };
    const inserted = await users.insertWithChannel(user, {
      displayName: (pending.name ?? handle).slice(0, 100),
    });
    if (!inserted.ok) throw clashError(inserted.clash);
    const linked = await identities.insert({
      provider: pending.provider,
      subject: pending.subject,
      userId: user.id,
      email: pending.email,
      linkedAt: now,
    });
    if (!linked) {
      // Someone finished the same sign-up a moment earlier: this account must not stay half-made.
      await identities.deleteUser(user.id);
      throw identityTaken(pending.provider);
    }
    return auth.signInProven(user, client);
  }

  /** The existing account's password, checked as a login is (same delay rules), then the link. */
  async linkWithPassword(pending: PendingIdentity, password: string, client: ClientInfo, proof: DeviceProof) {
    if (pending.kind !== "link" || !pending.userId) throw noPending();
    const { identities, users, auth } = this.deps;
    const holder = await users.find(pending.userId);
    if (!holder) throw noPending();
    const known = await identities.find(pending.provider, pending.subject);
    if (known && known.userId !== holder.id) throw identityTaken(pending.provider);
    const session = await auth.login({ email: holder.email, password }, client, proof);
    if (!known) {
      const row = {
        provider: pending.provider,
        subject: pending.subject,
        userId: holder.id,
        email: pending.email,
      };
      if (!(await identities.insert({ ...row, linkedAt: this.now() }))) {
        await auth.logout(undefined, session.sessionId);
        throw identityTaken(pending.provider);
      }
    }
    return session;
  }

  async listIdentities(userId: string): Promise<IdentityListResponse> {
    const user = await this.deps.users.find(userId);
    if (!user) throw new AppError(401, "invalid_token", "account no longer exists");
    const rows = await this.deps.identities.listForUser(userId);
    return {
      hasPassword: hasPassword(user.passwordHash),
      identities: rows.map((r) => ({
        provider: r.provider as OidcProviderId,
        providerName: providerName(r.provider as OidcProviderId),
        email: r.email,
        linkedAt: new Date(r.linkedAt).toISOString(),
        lastUsedAt: r.lastUsedAt === null ? null : new Date(r.lastUsedAt).toISOString(),
      })),
    };
  }

  /** Only with a password to fall back on; otherwise the account would be locked out. */
  async unlink(userId: string, provider: OidcProviderId): Promise<void> {
    const user = await this.deps.users.find(userId);
    if (!user) throw new AppError(401, "invalid_token", "account no longer exists");
    const linked = (await this.deps.identities.listForUser(userId)).some((i) => i.provider === provider);
    if (!linked) throw new AppError(404, "not_found", `no ${providerName(provider)} account is linked`);
    if (!hasPassword(user.passwordHash)) {
      throw new AppError(
        409,
        "password_required",
        `set a password before unlinking ${providerName(provider)} (use "Forgot password?" on the login page), or you could not sign in any more`,
      );
    }
    await this.deps.identities.deleteForUser(userId, provider);
  }

  /** The live session a refresh cookie belongs to (linking from settings starts with a navigation). */
  async sessionOf(refreshToken: string | undefined): Promise<{ userId: string; sessionId: string } | null> {
    if (!refreshToken) return null;
    const row = await this.deps.sessions.findToken(await hashRefreshToken(refreshToken));
    if (!row || row.rotatedAt !== null || row.expiresAt <= this.now()) return null;
    const session = await this.deps.sessions.find(row.sessionId);
    if (!session || session.revokedAt !== null || session.expiresAt <= this.now()) return null;
    return { userId: row.userId, sessionId: session.id };
  }
}

function noPending() {
  return new AppError(404, "no_pending_sign_in", "no sign-in is waiting in this browser; start again");
}

function clashError(clash: "email" | "handle") {
  return clash === "handle"
    ? new AppError(409, "handle_taken", "that handle is taken; choose another")
    : new AppError(409, "email_taken", "an account with this email was created meanwhile; log in instead");
}
