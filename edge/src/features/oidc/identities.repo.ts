/**
 * D1 access for OpenID identities (`user_identities`: one row per provider + subject, owned
 * by one user), and the handle look-up the sign-up suggestion needs.
 */
import type { OidcProviderId } from "@streamline/contracts";
import { and, eq, gt } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { handleRedirects, type UserIdentityRow, userIdentities, users } from "../../db/schema.ts";

export class IdentitiesRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  async find(provider: OidcProviderId, subject: string): Promise<UserIdentityRow | undefined> {
    return this.db
      .select()
      .from(userIdentities)
      .where(and(eq(userIdentities.provider, provider), eq(userIdentities.subject, subject)))
      .get();
  }

  async listForUser(userId: string): Promise<UserIdentityRow[]> {
    return this.db
      .select()
      .from(userIdentities)
      .where(eq(userIdentities.userId, userId))
      .orderBy(userIdentities.linkedAt)
      .all();
  }

  /** Links, or false when that provider + subject already belongs to someone (the key is the truth). */
  async insert(row: {
    provider: OidcProviderId;
    subject: string;
    userId: string;
    email: string | null;
    linkedAt: number;
  }): Promise<boolean> {
    const result = await this.db
      .insert(userIdentities)
      .values({ ...row, lastUsedAt: row.linkedAt })
      .onConflictDoNothing()
      .run();
    return result.meta.changes > 0;
  }

  async touch(provider: OidcProviderId, subject: string, at: number): Promise<void> {
    await this.db
      .update(userIdentities)
      .set({ lastUsedAt: at })
      .where(and(eq(userIdentities.provider, provider), eq(userIdentities.subject, subject)))
      .run();
  }

  /** Unlinks every identity of `provider` the user has; how many went. */
  async deleteForUser(userId: string, provider: OidcProviderId): Promise<number> {
    const result = await this.db
      .delete(userIdentities)
      .where(and(eq(userIdentities.userId, userId), eq(userIdentities.provider, provider)))
      .run();
    return result.meta.changes;
  }

  /** Nobody's handle, and not held by a live handle redirect (what the insert itself enforces). */
  async handleIsFree(handle: string, now: number): Promise<boolean> {
    const [user, redirect] = await this.db.batch([
      this.db.select({ id: users.id }).from(users).where(eq(users.handle, handle)).limit(1),
      this.db
        .select({ handle: handleRedirects.handle })
        .from(handleRedirects)
        .where(and(eq(handleRedirects.handle, handle), gt(handleRedirects.expiresAt, now)))
        .limit(1),
    ]);
    return user.length === 0 && redirect.length === 0;
  }

  /** Removes an account created a moment ago whose identity could not be linked (channel etc. cascade). */
  async deleteUser(userId: string): Promise<void> {
    await this.db.delete(users).where(eq(users.id, userId)).run();
  }
}
