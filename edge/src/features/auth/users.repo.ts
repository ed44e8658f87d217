/** D1 access for accounts. */
import { eq } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type UserRow, users } from "../../db/schema.ts";

export type NewUser = typeof users.$inferInsert;

/** Which unique column an insert collided with, if any. */
export type UniqueClash = "email" | "handle";

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

  /** Inserts, or reports which unique column is already taken (the constraint is the truth, not a prior read). */
  async insert(row: NewUser): Promise<{ ok: true } | { ok: false; clash: UniqueClash }> {
    try {
      await this.db.insert(users).values(row).run();
      return { ok: true };
    } catch (err) {
      const text = String(err instanceof Error ? `${err.message} ${String(err.cause ?? "")}` : err);
      if (/UNIQUE constraint failed: users\.email/.test(text)) return { ok: false, clash: "email" };
      if (/UNIQUE constraint failed: users\.handle/.test(text)) return { ok: false, clash: "handle" };
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
