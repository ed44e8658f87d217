/**
 * Email verification and password reset (ADR 0014). Tokens are 32 random bytes mailed as
 * a link; only their SHA-256 is stored (`email_tokens`), each works once (an atomic
 * update marks it used) and expires (verification 48 h, reset 30 min). Everything that
 * could tell whether an address has an account — the lookup, the token, the SMTP
 * exchange — runs after the response (`sendInBackground`), so forgot-password answers
 * the same 202 in the same time for every address.
 */
import type { Config } from "../../config.ts";
import type { UserRow } from "../../db/schema.ts";
import { AppError } from "../../lib/errors.ts";
import { pbkdf2Hasher, toBase64Url } from "../../lib/passwords.ts";
import type { Services } from "../../lib/services.ts";
import { type Mailer, mailerFor } from "../mail/mailer.ts";
import { resetMail, verificationMail } from "../mail/templates.ts";
import { hashRefreshToken } from "./auth.service.ts";
import { EmailTokensRepo, type TokenPurpose } from "./email-tokens.repo.ts";
import { passwordIssues } from "./password-policy.ts";
import { markSessionRevoked } from "./session-status.ts";
import { SessionsRepo } from "./sessions.repo.ts";
import { ThrottleRepo } from "./throttle.repo.ts";
import { UsersRepo } from "./users.repo.ts";

export const VERIFY_TTL_MS = 48 * 3600_000;
export const RESET_TTL_MS = 30 * 60_000;
/** Mails of one kind per address per hour; more requests still answer 202 but send nothing. */
export const MAILS_PER_ADDRESS_PER_HOUR = 3;

const refused = (code: string, message: string) => new AppError(400, code, message);

export interface EmailFlowDeps {
  users: UsersRepo;
  tokens: EmailTokensRepo;
  sessions: SessionsRepo;
  throttle: ThrottleRepo;
  mailer: Mailer;
  config: Pick<Config, "PASSWORD_ITERATIONS">;
  now?: () => number;
}

export class EmailFlows {
  private readonly deps: EmailFlowDeps;
  constructor(deps: EmailFlowDeps) {
    this.deps = deps;
  }

  static from(s: Pick<Services, "db" | "config">, mailer: Mailer = mailerFor(s.config)): EmailFlows {
    return new EmailFlows({
      users: new UsersRepo(s.db),
      tokens: new EmailTokensRepo(s.db),
      sessions: new SessionsRepo(s.db),
      throttle: new ThrottleRepo(s.db),
      mailer,
      config: s.config,
    });
  }

  get delivery() {
    return this.deps.mailer.delivery;
  }

  private now() {
    return this.deps.now?.() ?? Date.now();
  }

  private async issue(user: UserRow, purpose: TokenPurpose, ttlMs: number): Promise<string> {
    const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    const now = this.now();
    await this.deps.tokens.create({
      tokenHash: await hashRefreshToken(token),
      userId: user.id,
      purpose,
      email: user.email,
      createdAt: now,
      expiresAt: now + ttlMs,
    });
    return token;
  }

  /** Under the per-address hourly cap? (Counted whether or not the address has an account.) */
  private async underCap(kind: string, email: string): Promise<boolean> {
    const { count } = await this.deps.throttle.countSignup(`mail:${kind}:${email}`, this.now());
    return count <= MAILS_PER_ADDRESS_PER_HOUR;
  }

  /** Mails `user` a verification link; "skipped" when verified already or over the cap. */
  async sendVerification(user: UserRow, origin: string): Promise<"sent" | "skipped"> {
    if (user.emailVerifiedAt !== null || !(await this.underCap("verify", user.email))) return "skipped";
    const token = await this.issue(user, "verify_email", VERIFY_TTL_MS);
    const link = `${origin}/verify-email?token=${token}`;
    await this.deps.mailer.send(verificationMail(user.email, user.handle, link, VERIFY_TTL_MS / 3600_000));
    return "sent";
  }

  /** Runs after the 202: no account (or over the cap) → nothing is sent, and nobody is told. */
  async sendReset(email: string, origin: string): Promise<"sent" | "no_account" | "capped"> {
    const user = await this.deps.users.findByEmail(email);
    if (!(await this.underCap("reset", email))) return "capped";
    if (!user) return "no_account";
    const token = await this.issue(user, "reset_password", RESET_TTL_MS);
    const link = `${origin}/reset-password?token=${token}`;
    await this.deps.mailer.send(resetMail(user.email, user.handle, link, RESET_TTL_MS / 60_000));
    return "sent";
  }

  /** Uses the token or says why not: 400 `token_expired`, `token_used` or `token_invalid`. */
  private async consume(token: string, purpose: TokenPurpose) {
    const hash = await hashRefreshToken(token);
    const row = await this.deps.tokens.consume(hash, purpose, this.now());
    if (row) return row;
    const seen = await this.deps.tokens.find(hash);
    if (!seen || seen.purpose !== purpose) throw refused("token_invalid", "this link is not valid");
    if (seen.usedAt !== null) throw refused("token_used", "this link was already used; ask for a new one");
    throw refused("token_expired", "this link has expired; ask for a new one");
  }

  async verify(token: string): Promise<void> {
    const row = await this.consume(token, "verify_email");
    const user = await this.deps.users.find(row.userId);
    // The link proves the address it was sent to, not one the account holds now.
    if (!user || user.email !== row.email) throw refused("token_invalid", "this link is not valid");
    await this.deps.users.markEmailVerified(user.id, this.now());
  }

  /** New password (signup's rules), every session revoked, every other reset link dead. */
  async reset(token: string, password: string): Promise<void> {
    const hash = await hashRefreshToken(token);
    const pending = await this.deps.tokens.find(hash);
    const owner = pending && (await this.deps.users.find(pending.userId));
    // The policy is checked before the token is spent, so a weak password does not burn the link.
    if (owner && pending.usedAt === null) {
      const issues = passwordIssues(password, owner);
      if (issues.length) throw new AppError(400, "validation_failed", "invalid request body", { issues });
    }
    const row = await this.consume(token, "reset_password");
    const now = this.now();
    const hasher = pbkdf2Hasher(this.deps.config.PASSWORD_ITERATIONS);
    await this.deps.users.setPasswordHash(row.userId, await hasher.hash(password));
    await this.deps.tokens.useAll(row.userId, "reset_password", now);
    for (const session of await this.deps.sessions.listActive(row.userId, now)) {
      await this.deps.sessions.revoke(session.id, "revoked", now);
      markSessionRevoked(session.id, now);
    }
    // Whoever can read the mailbox proved the address too.
    const user = await this.deps.users.find(row.userId);
    if (user && user.emailVerifiedAt === null && user.email === row.email) {
      await this.deps.users.markEmailVerified(user.id, now);
    }
  }
}
