/** D1 access for accounts. */
import { eq } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type UserRow, users } from "../../db/schema.ts";

export type NewUser = typeof users.$inferInsert;

/** Which unique column an insert collided with, if any. */
export type UniqueClash = "email" | "handle";

/** What a new account's channel starts with (the rest has column defaults). */
export interface NewChannel {
  displayName: string;
}

function clashOf(err: unknown): UniqueClash | null {
  const text = String(err instanceof Error ? `${err.message} ${String(err.cause ?? "")}` : err);
  if (/UNIQUE constraint failed: users\.email/.test(text)) return "email";
  if (/UNIQUE constraint failed: users\.handle/.test(text)) return "handle";
  return null;
}

export class UsersRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  async find(id: string): Promise<UserRow | undefined> {
    return this.db.select().from(users).where(eq(users.id, id)).get();
  }

  async findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.select().from(users).where(eq(users.email, email)).get();
  }

  async findByHandle(handle: string): Promise<UserRow | undefined> {
    return this.db.select().from(users).where(eq(users.handle, handle)).get();
  }

  /**
   * Creates an account and its channel in one D1 batch (one transaction): every user has a
   * channel, so neither row ever exists without the other. Use this for every new account
   * (password signup, first OpenID sign-in). Reports which unique value is already taken —
   * the constraint is the truth, not a prior read. A handle another channel gave up less
   * than HANDLE_REDIRECT_DAYS ago (`handle_redirects`, still live at `row.createdAt`) counts
   * as taken: the insert is conditional on it in the same statement, so no race lets a
   * signup grab a handle that still redirects (ADR 0011).
   */
  async insertWithChannel(
    row: NewUser & { createdAt: number },
    channel: NewChannel,
  ): Promise<{ ok: true } | { ok: false; clash: UniqueClash }> {
    const now = row.createdAt;
    const updatedAt = row.updatedAt ?? now;
    // Raw D1 statements: drizzle has no INSERT … SELECT … WHERE NOT EXISTS without a FROM.
    const d1 = this.db.$client;
    try {
      const [userInsert] = await d1.batch([
        d1
          .prepare(
            `INSERT INTO users (id, email, handle, password_hash, email_verified_at, created_at, updated_at)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
             WHERE NOT EXISTS (SELECT 1 FROM handle_redirects WHERE handle = ?3 AND expires_at > ?6)`,
          )
          .bind(row.id, row.email, row.handle, row.passwordHash, row.emailVerifiedAt ?? null, now, updatedAt),
        d1
          .prepare(
            "INSERT INTO channels (user_id, display_name, created_at, updated_at) SELECT id, ?2, ?3, ?3 FROM users WHERE id = ?1",
          )
          .bind(row.id, channel.displayName, now),
      ]);
      return userInsert!.meta.changes > 0 ? { ok: true } : { ok: false, clash: "handle" };
    } catch (err) {
      const clash = clashOf(err);
      if (clash) return { ok: false, clash };
      throw err;
    }
  }

  async markEmailVerified(id: string, at: number): Promise<void> {
    await this.db.update(users).set({ emailVerifiedAt: at, updatedAt: at }).where(eq(users.id, id)).run();
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.db.update(users).set({ passwordHash, updatedAt: Date.now() }).where(eq(users.id, id)).run();
  }
}
