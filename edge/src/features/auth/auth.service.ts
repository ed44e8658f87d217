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
 */
import type { LoginBody, SignupBody, UserDto } from "@streamline/contracts";
import type { Config } from "../../config.ts";
import type { RefreshTokenRow, UserRow } from "../../db/schema.ts";
import { AppError } from "../../lib/errors.ts";
import { randomId } from "../../lib/ids.ts";
import { type PasswordHasher, pbkdf2Hasher, toBase64Url } from "../../lib/passwords.ts";
import type { Services } from "../../lib/services.ts";
import { signAccessToken } from "./access-token.ts";
import { passwordIssues } from "./password-policy.ts";
import { markSessionRevoked } from "./session-status.ts";
import { SessionsRepo } from "./sessions.repo.ts";
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
}

export interface AuthDeps {
  users: UsersRepo;
  sessions: SessionsRepo;
  passwords: PasswordHasher;
  config: Pick<Config, "JWT_SECRET" | "ACCESS_TOKEN_TTL_SECONDS" | "REFRESH_TTL_DAYS"> &
    Partial<Pick<Config, "REFRESH_GRACE_SECONDS">>;
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

export class AuthService {
  /** The service over the request's database and config. */
  static from(services: Pick<Services, "db" | "config">, extra: Partial<AuthDeps> = {}): AuthService {
    const { db, config } = services;
    return new AuthService({
      users: new UsersRepo(db),
      sessions: new SessionsRepo(db),
      passwords: hasherFor(config.PASSWORD_ITERATIONS),
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
    const now = this.now();
    const user: UserRow = {
      id: newUserId(),
      email: body.email,
      handle: body.handle,
      passwordHash: await this.deps.passwords.hash(body.password),
      createdAt: now,
      updatedAt: now,
    };
    const inserted = await this.deps.users.insert(user);
    if (!inserted.ok) {
      throw inserted.clash === "email"
        ? new AppError(409, "email_taken", "an account with this email already exists; log in instead")
        : new AppError(409, "handle_taken", "that handle is taken; choose another");
    }
    return this.startSession(user, client);
  }

  /** Unknown email and wrong password fail identically, after the same PBKDF2 work. */
  async login(body: LoginBody, client: ClientInfo): Promise<IssuedSession> {
    const { users, passwords } = this.deps;
    const user = await users.findByEmail(body.email);
    const check = user
      ? await passwords.verify(user.passwordHash, body.password)
      : await passwords.verifyDummy(body.password);
    if (!user || !check.ok) throw invalidCredentials();
    if (check.needsRehash) await users.setPasswordHash(user.id, await passwords.hash(body.password));
    return this.startSession(user, client);
  }

  private async startSession(user: UserRow, client: ClientInfo): Promise<IssuedSession> {
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
