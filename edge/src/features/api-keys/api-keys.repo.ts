/** API keys in D1 (ADR 0025): only hashes are stored; lookups go by hash through a unique index. */
import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type ApiKeyRow, apiKeys, users } from "../../db/schema.ts";

export type NewApiKey = Omit<ApiKeyRow, "lastUsedAt" | "revokedAt">;

/** What the auth path needs of a key, with its owner's suspension. */
export interface KeyLookup {
  key: ApiKeyRow;
  ownerSuspended: boolean;
}

/** Keys a user may hold at once (revoked ones do not count). */
export const MAX_KEYS_PER_USER = 25;

export class ApiKeysRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  async insert(row: NewApiKey): Promise<void> {
    await this.db.insert(apiKeys).values(row);
  }

  /** The user's live keys, newest first. */
  listLive(userId: string): Promise<ApiKeyRow[]> {
    return this.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
      .limit(MAX_KEYS_PER_USER);
  }

  async countLive(userId: string): Promise<number> {
    return (await this.listLive(userId)).length;
  }

  async findByHash(keyHash: string): Promise<KeyLookup | null> {
    const [row] = await this.db
      .select({ key: apiKeys, suspendedAt: users.suspendedAt })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .where(eq(apiKeys.keyHash, keyHash))
      .limit(1);
    return row ? { key: row.key, ownerSuspended: row.suspendedAt !== null } : null;
  }

  /** Revokes one of the user's live keys; false if there is none by that id. */
  async revoke(userId: string, id: string, now: number): Promise<boolean> {
    const rows = await this.db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    return rows.length > 0;
  }

  /** Sets `last_used_at` unless another request already moved it within `throttleMs`. */
  async touch(id: string, now: number, throttleMs: number): Promise<void> {
    await this.db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(
        and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - throttleMs))),
      );
  }
}
