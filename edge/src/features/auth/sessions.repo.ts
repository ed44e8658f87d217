/** D1 access for sessions and their refresh-token families. */
import { and, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type RefreshTokenRow, refreshTokens, type SessionRow, sessions } from "../../db/schema.ts";

export type NewSession = typeof sessions.$inferInsert;
export type NewRefreshToken = typeof refreshTokens.$inferInsert;
export type RevokeReason = NonNullable<SessionRow["revokedReason"]>;

export class SessionsRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /** The session and its first refresh token land together or not at all. */
  async create(session: NewSession, token: NewRefreshToken): Promise<void> {
    await this.db.batch([
      this.db.insert(sessions).values(session),
      this.db.insert(refreshTokens).values(token),
    ]);
  }

  async find(id: string): Promise<SessionRow | undefined> {
    return this.db.select().from(sessions).where(eq(sessions.id, id)).get();
  }

  async findToken(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    return this.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).get();
  }

  async findTokenById(jti: string): Promise<RefreshTokenRow | undefined> {
    return this.db.select().from(refreshTokens).where(eq(refreshTokens.jti, jti)).get();
  }

  /**
   * Stores `oldJti`'s successor, marks `oldJti` rotated and slides the session — one D1
   * batch (one transaction). A successor is derived from the token it replaces, so two
   * concurrent rotations of one token insert the same `token_hash`: the unique index lets
   * exactly one batch commit. Returns false when the token had already been rotated.
   */
  async rotate(
    oldJti: string,
    next: NewRefreshToken & { sessionId: string },
    sessionPatch: Pick<SessionRow, "lastUsedAt" | "expiresAt" | "userAgent" | "ip">,
  ): Promise<boolean> {
    let claimed: { meta: { changes: number } };
    try {
      [, claimed] = await this.db.batch([
        this.db.insert(refreshTokens).values(next),
        this.db
          .update(refreshTokens)
          .set({ rotatedAt: next.createdAt, replacedBy: next.jti })
          .where(and(eq(refreshTokens.jti, oldJti), isNull(refreshTokens.rotatedAt))),
        this.db.update(sessions).set(sessionPatch).where(eq(sessions.id, next.sessionId)),
      ]);
    } catch (err) {
      if (
        /UNIQUE constraint failed/i.test(
          String(err instanceof Error ? `${err.message} ${err.cause ?? ""}` : err),
        )
      )
        return false;
      throw err;
    }
    if (claimed.meta.changes === 0) {
      // Rotated before, to a successor not derived like this one: undo the stray insert.
      await this.db.delete(refreshTokens).where(eq(refreshTokens.jti, next.jti)).run();
      return false;
    }
    return true;
  }

  /** Revokes a session (= its whole token family). Returns whether it was still live. */
  async revoke(id: string, reason: RevokeReason, now: number): Promise<boolean> {
    const res = await this.db
      .update(sessions)
      .set({ revokedAt: now, revokedReason: reason })
      .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
      .run();
    return res.meta.changes > 0;
  }

  async listActive(userId: string, now: number): Promise<SessionRow[]> {
    return this.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
      .orderBy(desc(sessions.lastUsedAt))
      .limit(100)
      .all();
  }

  /**
   * Housekeeping for the cron sweeper: drops expired refresh tokens and sessions that
   * expired or were revoked more than `keepMs` ago (kept a while for reuse forensics).
   */
  async purge(now: number, keepMs = 7 * 24 * 3600_000): Promise<void> {
    await this.db.delete(refreshTokens).where(lt(refreshTokens.expiresAt, now)).run();
    await this.db
      .delete(sessions)
      .where(or(lt(sessions.expiresAt, now - keepMs), lt(sessions.revokedAt, now - keepMs)))
      .run();
  }
}
