/**
 * Accounts and sessions: signup, login, refresh-token rotation with reuse detection, and
 * logout. Plain dependencies (repos, a password hasher, a clock) so it is tested without
 * HTTP; the routes only translate cookies and headers.
 *
 * A login starts a session (one per device) whose refresh tokens form one family. Each
 * refresh rotates the token; presenting a token that was already rotated means two parties
 * hold the family (theft, or a replay), so the whole session is revoked — except for the
 * just-rotated token inside a short grace window (`REFRESH_GRACE_SECONDS`), which answers
 * with the same successor: a retry after a lost response, or two tabs racing, must not sign
 * the user out. A successor is derived from the token it replaces (HMAC under
 * `JWT_SECRET`), so the grace answer needs no stored plaintext (ADR 0005).
 *
 * Abuse limits that need state live in D1's `auth_throttle` (ThrottleRepo, ADR 0005): failed
 * sign-ins slow down further attempts on that email progressively — never a lock-out, and
 * not at all for a browser that proves it signed in to the account before (device cookie
 * or a live session's refresh cookie); signups are counted per client IP per hour, and the
 * 409 `email_taken` (which says an address has an account) is logged.
 */
import type { LoginBody, SignupBody, UserDto } from "@streamline/contracts";
import type { Config } from "../../config.ts";
import type { RefreshTokenRow, UserRow } from "../../db/schema.ts";
import { rateLimitKey } from "../../lib/client-info.ts";
import { AppError } from "../../lib/errors.ts";
import { randomId } from "../../lib/ids.ts";
import { log } from "../../lib/log.ts";
import { hasPassword, type PasswordHasher, pbkdf2Hasher, toBase64Url } from "../../lib/passwords.ts";
import type { Services } from "../../lib/services.ts";
import { signAccessToken } from "./access-token.ts";
import { deviceCookieUser } from "./device-cookie.ts";
import { passwordIssues } from "./password-policy.ts";
import { markSessionRevoked } from "./session-status.ts";
import { SessionsRepo } from "./sessions.repo.ts";
import { type LoginPolicy, ThrottleRepo } from "./throttle.repo.ts";
import { UsersRepo } from "./users.repo.ts";

export const newUserId = () => `u_${randomId(16)}`;
export const newSessionId = () => `s_${randomId(20)}`;
const newFamilyId = () => `f_${randomId(20)}`;
const newTokenId = () => `rt_${randomId(20)}`;

const REFRESH_BYTES = 32;
const MAX_USER_AGENT = 256;

export interface ClientInfo {
  ip: string;
  userAgent: string;
  /** What per-IP limits count by (lib/client-info.ts); derived from `ip` when absent. */
  rateKey?: string;
}

/** What the browser shows of having signed in to this account before (cookies it sends to /api/auth). */
export interface DeviceProof {
  deviceCookie?: string | undefined;
  refreshToken?: string | undefined;
}

export interface AuthDeps {
  users: UsersRepo;
  sessions: SessionsRepo;
  passwords: PasswordHasher;
  config: Pick<Config, "JWT_SECRET" | "ACCESS_TOKEN_TTL_SECONDS" | "REFRESH_TTL_DAYS"> &
    Partial<
      Pick<
        Config,
        | "REFRESH_GRACE_SECONDS"
        | "LOGIN_FREE_FAILURES"
        | "LOGIN_MAX_DELAY_SECONDS"
        | "SIGNUPS_PER_IP_PER_HOUR"
      >
    >;
  /** Sign-in delay and signup window state; without it neither applies (unit tests of other paths). */
  throttle?: ThrottleRepo;
  /** Called once the refresh token's session is known, before rotating (per-session rate limit). */
  beforeRefresh?: (sessionId: string) => Promise<void>;
  now?: () => number;
}

/** What a successful signup, login or refresh hands to the route. */
export interface IssuedSession {
  user: UserRow;
  sessionId: string;
  accessToken: string;
  expiresAt: Date;
  refreshToken: string;
  refreshExpiresAt: Date;
}

export function toUserDto(user: UserRow): UserDto {
  return {
    id: user.id,
    email: user.email,
    handle: user.handle,
    createdAt: new Date(user.createdAt).toISOString(),
    emailVerified: user.emailVerifiedAt !== null,
  };
}

export async function hashRefreshToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

const REFRESH_GRACE_SECONDS_DEFAULT = 10;

/** The refresh token that replaces `presented`: the same for every rotation of it. */
async function successorOf(secret: string, presented: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(`refresh-successor:${presented}`),
  );
  return toBase64Url(new Uint8Array(mac));
}

const invalidCredentials = () => new AppError(401, "invalid_credentials", "email or password is incorrect");
/** A moderator suspended the account (ADR 0024): the sentence names their reason. */
const accountSuspended = (reason: string | null) =>
  new AppError(403, "account_suspended", `this account is suspended: ${reason || "no reason given"}`);
const tooSoon = (retryAfterMs: number, message: string) => {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(429, "rate_limited", `${message}; try again in ${seconds} seconds`, {
    headers: { "retry-after": String(seconds) },
  });
};

const LOGIN_FREE_FAILURES_DEFAULT = 5;
const LOGIN_MAX_DELAY_SECONDS_DEFAULT = 300;
const SIGNUPS_PER_IP_PER_HOUR_DEFAULT = 10;

/** A short, stable fingerprint of an address for logs (who is probing what, without the address). */
async function emailFingerprint(email: string): Promise<string> {
  return (await hashRefreshToken(`email:${email}`)).slice(0, 16);
}
const refreshRefused = (code: string, message: string) => new AppError(401, code, message);
const refreshReused = () =>
  refreshRefused(
    "refresh_token_reused",
    "refresh token was already used; every device in this session is signed out",
  );

/** One hasher per iteration count per isolate (it caches the dummy hash for unknown emails). */
const hashers = new Map<number, PasswordHasher>();
function hasherFor(iterations: number) {
  let hasher = hashers.get(iterations);
  if (!hasher) {
    hasher = pbkdf2Hasher(iterations);
    hashers.set(iterations, hasher);
  }
  return hasher;
}

const rateKeyOf = (client: ClientInfo) => client.rateKey ?? rateLimitKey(client.ip);

export class AuthService {
  /** The service over the request's database and config. */
  static from(services: Pick<Services, "db" | "config">, extra: Partial<AuthDeps> = {}): AuthService {
    const { db, config } = services;
    return new AuthService({
      users: new UsersRepo(db),
      sessions: new SessionsRepo(db),
      passwords: hasherFor(config.PASSWORD_ITERATIONS),
      throttle: new ThrottleRepo(db),
      config,
      ...extra,
    });
  }

  private readonly deps: AuthDeps;
  constructor(deps: AuthDeps) {
    this.deps = deps;
  }

  private now() {
    return this.deps.now?.() ?? Date.now();
  }

  private refreshTtlMs() {
    return this.deps.config.REFRESH_TTL_DAYS * 24 * 3600_000;
  }

  async signup(body: SignupBody, client: ClientInfo): Promise<IssuedSession> {
    const issues = passwordIssues(body.password, body);
    if (issues.length) throw new AppError(400, "validation_failed", "invalid request body", { issues });
    const signupsThisHour = await this.countSignup(client);
    const now = this.now();
    const user: UserRow = {
      id: newUserId(),
      email: body.email,
      handle: body.handle,
      passwordHash: await this.deps.passwords.hash(body.password),
      emailVerifiedAt: null,
      suspendedAt: null,
      suspendReason: null,
      createdAt: now,
      updatedAt: now,
    };
    // The channel is born with the account (same D1 batch); its name starts as the handle.
    const inserted = await this.deps.users.insertWithChannel(user, { displayName: user.handle });
    if (!inserted.ok) {
      if (inserted.clash === "handle")
        throw new AppError(409, "handle_taken", "that handle is taken; choose another");
      // The one answer that says "this address has an account": visible in the logs.
      log.warn("signup refused: email taken", {
        event: "auth.signup.email_taken",
        ip: rateKeyOf(client),
        email: await emailFingerprint(body.email),
        signupsThisHour,
      });
      throw new AppError(409, "email_taken", "an account with this email already exists; log in instead");
    }
    return this.startSession(user, client);
  }

  /** One more signup from this client IP (/64) this hour; over the limit → 429, whatever the email. */
  private async countSignup(client: ClientInfo): Promise<number> {
    const { throttle, config } = this.deps;
    if (!throttle) return 0;
    const now = this.now();
    const { count, windowEndsAt } = await throttle.countSignup(`signup:${rateKeyOf(client)}`, now);
    if (count > (config.SIGNUPS_PER_IP_PER_HOUR ?? SIGNUPS_PER_IP_PER_HOUR_DEFAULT)) {
      throw tooSoon(windowEndsAt - now, "too many signups from this network");
    }
    return count;
  }

  /**
   * Unknown email and wrong password fail identically, after the same PBKDF2 work — and
   * are delayed identically once an address has collected failures: the delay is keyed by
   * the email, existing or not. A browser that signed in to this account before skips it.
   */
  async login(body: LoginBody, client: ClientInfo, proof: DeviceProof = {}): Promise<IssuedSession> {
    const { users, passwords, throttle } = this.deps;
    const user = await users.findByEmail(body.email);
    const key = `login:${body.email}`;
    const known = await this.isKnownDevice(user?.id ?? null, proof);
    if (throttle && !known) {
      const claim = await throttle.claimLogin(key, this.loginPolicy(), this.now());
      if (!claim.allowed) throw tooSoon(claim.retryAfterMs, "too many failed sign-ins for this email");
    }
    // An account without a password (OpenID only, ADR 0012) costs the same work and fails.
    const check =
      user && hasPassword(user.passwordHash)
        ? await passwords.verify(user.passwordHash, body.password)
        : await passwords.verifyDummy(body.password);
    if (!user || !check.ok) {
      // An unknown device's attempt was counted when it took its slot.
      if (throttle && known) await throttle.recordFailure(key, this.now());
      throw invalidCredentials();
    }
    await throttle?.clear(key);
    if (check.needsRehash) await users.setPasswordHash(user.id, await passwords.hash(body.password));
    return this.startSession(user, client);
  }

  private loginPolicy(): LoginPolicy {
    const { config } = this.deps;
    return {
      freeFailures: config.LOGIN_FREE_FAILURES ?? LOGIN_FREE_FAILURES_DEFAULT,
      maxDelayMs: (config.LOGIN_MAX_DELAY_SECONDS ?? LOGIN_MAX_DELAY_SECONDS_DEFAULT) * 1000,
    };
  }

  /**
   * Has this browser signed in to `userId` before: a valid device cookie, or a refresh
   * cookie of a live session? The same lookups run whether or not the email has an
   * account (`userId` null), so the work done does not tell the two apart.
   */
  private async isKnownDevice(userId: string | null, proof: DeviceProof): Promise<boolean> {
    const now = this.now();
    const deviceUser = await deviceCookieUser(this.deps.config.JWT_SECRET, proof.deviceCookie, now);
    let sessionUser: string | null = null;
    if (proof.refreshToken) {
      const row = await this.deps.sessions.findToken(await hashRefreshToken(proof.refreshToken));
      const session = row && (await this.deps.sessions.find(row.sessionId));
      if (row && session && session.revokedAt === null && session.expiresAt > now) sessionUser = row.userId;
    }
    return userId !== null && (deviceUser === userId || sessionUser === userId);
  }

  /**
   * A session for an account proven another way than its password — an OpenID provider's
   * verified ID token (features/oidc, ADR 0012): the same session, tokens and family as a login.
   */
  async signInProven(user: UserRow, client: ClientInfo): Promise<IssuedSession> {
    return this.startSession(user, client);
  }

  private async startSession(user: UserRow, client: ClientInfo): Promise<IssuedSession> {
    // Only after the password (or the provider) proved the account: a guess learns nothing.
    if (user.suspendedAt !== null) throw accountSuspended(user.suspendReason);
    const now = this.now();
    const expiresAt = now + this.refreshTtlMs();
    const sessionId = newSessionId();
    const familyId = newFamilyId();
    const { token, row } = await this.newRefreshToken({ sessionId, familyId, userId: user.id }, client, now);
    await this.deps.sessions.create(
      {
        id: sessionId,
        userId: user.id,
        familyId,
        userAgent: client.userAgent.slice(0, MAX_USER_AGENT),
        ip: client.ip,
        createdAt: now,
        lastUsedAt: now,
        expiresAt,
      },
      row,
    );
    return this.issue(user, sessionId, token, expiresAt, now);
  }

  private async newRefreshToken(
    owner: { sessionId: string; familyId: string; userId: string },
    client: ClientInfo,
    now: number,
    token = toBase64Url(crypto.getRandomValues(new Uint8Array(REFRESH_BYTES))),
  ) {
    const row = {
      jti: newTokenId(),
      tokenHash: await hashRefreshToken(token),
      ...owner,
      userAgent: client.userAgent.slice(0, MAX_USER_AGENT),
      ip: client.ip,
      createdAt: now,
      expiresAt: now + this.refreshTtlMs(),
    };
    return { token, row };
  }

  private async issue(
    user: UserRow,
    sessionId: string,
    refreshToken: string,
    refreshExpiresAt: number,
    now: number,
  ) {
    const { token, expiresAt } = await signAccessToken(
      this.deps.config.JWT_SECRET,
      { userId: user.id, sessionId },
      this.deps.config.ACCESS_TOKEN_TTL_SECONDS,
      now,
    );
    return {
      user,
      sessionId,
      accessToken: token,
      expiresAt,
      refreshToken,
      refreshExpiresAt: new Date(refreshExpiresAt),
    };
  }

  private async revokeFamily(sessionId: string, reason: "logout" | "revoked" | "refresh_reuse") {
    await this.deps.sessions.revoke(sessionId, reason, this.now());
    markSessionRevoked(sessionId);
  }

  async refresh(presented: string | undefined, client: ClientInfo): Promise<IssuedSession> {
    if (!presented) throw refreshRefused("no_refresh_token", "not signed in (no refresh cookie)");
    const { sessions, users } = this.deps;
    const row = await sessions.findToken(await hashRefreshToken(presented));
    if (!row) throw refreshRefused("invalid_refresh_token", "refresh token not recognised; log in again");
    const session = await sessions.find(row.sessionId);
    const now = this.now();
    if (!session || session.revokedAt !== null) {
      throw refreshRefused("session_revoked", "this session was signed out; log in again");
    }
    if (row.rotatedAt !== null) {
      // A token we already replaced came back. Just now: a retry or a racing tab gets the
      // same successor. Otherwise whoever holds it is not (only) the user.
      const grace = await this.graceSuccessor(row, presented, now);
      if (grace) return grace;
      await this.revokeFamily(session.id, "refresh_reuse");
      throw refreshReused();
    }
    if (row.expiresAt <= now || session.expiresAt <= now) {
      throw refreshRefused("session_expired", "session expired; log in again");
    }
    await this.deps.beforeRefresh?.(session.id);
    const user = await users.find(row.userId);
    if (!user) throw refreshRefused("session_revoked", "account no longer exists");

    const next = await this.newRefreshToken(
      { sessionId: session.id, familyId: row.familyId, userId: user.id },
      client,
      now,
      await successorOf(this.deps.config.JWT_SECRET, presented),
    );
    const rotated = await sessions.rotate(row.jti, next.row, {
      lastUsedAt: now,
      expiresAt: next.row.expiresAt,
      userAgent: next.row.userAgent,
      ip: client.ip,
    });
    if (!rotated) {
      // Lost a race against another use of the same token: its successor is ours too.
      const winner = await sessions.findTokenById(row.jti);
      const grace = winner && (await this.graceSuccessor(winner, presented, now));
      if (grace) return grace;
      await this.revokeFamily(session.id, "refresh_reuse");
      throw refreshReused();
    }
    return this.issue(user, session.id, next.token, next.row.expiresAt, now);
  }

  private graceMs() {
    return (this.deps.config.REFRESH_GRACE_SECONDS ?? REFRESH_GRACE_SECONDS_DEFAULT) * 1000;
  }

  /**
   * The session again, with the successor `row` was rotated to — only while `row` was
   * rotated less than the grace window ago and its successor is still the live token.
   * Null means: treat as reuse.
   */
  private async graceSuccessor(
    row: RefreshTokenRow,
    presented: string,
    now: number,
  ): Promise<IssuedSession | null> {
    const { sessions, users } = this.deps;
    if (row.rotatedAt === null || !row.replacedBy || now - row.rotatedAt > this.graceMs()) return null;
    const successor = await sessions.findTokenById(row.replacedBy);
    if (!successor || successor.rotatedAt !== null || successor.expiresAt <= now) return null;
    const token = await successorOf(this.deps.config.JWT_SECRET, presented);
    if ((await hashRefreshToken(token)) !== successor.tokenHash) return null;
    const session = await sessions.find(row.sessionId);
    if (!session || session.revokedAt !== null || session.expiresAt <= now) return null;
    await this.deps.beforeRefresh?.(session.id);
    const user = await users.find(row.userId);
    if (!user) return null;
    return this.issue(user, session.id, token, successor.expiresAt, now);
  }

  /**
   * Ends the session named by the refresh cookie (rotated or not — ending a session is
   * always safe), or else by the access token. Idempotent.
   */
  async logout(presented: string | undefined, accessSessionId: string | null): Promise<void> {
    let sessionId = accessSessionId;
    if (presented) {
      const row = await this.deps.sessions.findToken(await hashRefreshToken(presented));
      if (row) sessionId = row.sessionId;
    }
    if (sessionId) await this.revokeFamily(sessionId, "logout");
  }

  /** "Log out that device": only the caller's own sessions; anything else is not found. */
  async revokeSession(userId: string, sessionId: string): Promise<void> {
    const session = await this.deps.sessions.find(sessionId);
    if (!session || session.userId !== userId || session.revokedAt !== null) {
      throw new AppError(404, "not_found", "session not found");
    }
    await this.revokeFamily(sessionId, "revoked");
  }
}
