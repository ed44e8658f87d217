/**
 * Roles (`admin`, `moderator`) live in D1's `user_roles`, granted and revoked only by an
 * operator (`npm run admin -- grant <email> <role>`, scripts/admin.ts). Nothing a user can
 * do through the API — least of all signing up with some address — grants one (hole 6 of
 * issue 11; `ADMIN_EMAILS` is gone).
 *
 * Each isolate remembers an answer for `ROLE_CACHE_MS` (at most `MAX_ENTRIES` users, oldest
 * dropped first), so a grant or a revocation takes effect everywhere within 10 s.
 */
import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type UserRoleRow, userRoles } from "../../db/schema.ts";

export type Role = UserRoleRow["role"];

/** How long an isolate trusts its last look at a user's roles: the revocation staleness bound. */
export const ROLE_CACHE_MS = 10_000;
const MAX_ENTRIES = 1000;
const cache = new Map<string, { roles: Set<Role>; until: number }>();

export class RolesRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  async rolesOf(userId: string): Promise<Role[]> {
    const rows = await this.db
      .select({ role: userRoles.role })
      .from(userRoles)
      .where(eq(userRoles.userId, userId))
      .all();
    return rows.map((r) => r.role);
  }

  /** Tests and future admin endpoints; the operator command writes with SQL of its own. */
  async grant(userId: string, role: Role, grantedBy: string, now = Date.now()): Promise<void> {
    await this.db
      .insert(userRoles)
      .values({ userId, role, grantedBy, grantedAt: now })
      .onConflictDoNothing()
      .run();
    cache.delete(userId);
  }

  async revoke(userId: string, role: Role): Promise<void> {
    await this.db
      .delete(userRoles)
      .where(and(eq(userRoles.userId, userId), eq(userRoles.role, role)))
      .run();
    cache.delete(userId);
  }
}

/** Does `userId` hold `role`? From D1, remembered per isolate for `ROLE_CACHE_MS`. */
export async function hasRole(db: Database, userId: string, role: Role, now = Date.now()): Promise<boolean> {
  let entry = cache.get(userId);
  if (!entry || entry.until <= now) {
    entry = { roles: new Set(await new RolesRepo(db).rolesOf(userId)), until: now + ROLE_CACHE_MS };
    cache.delete(userId);
    cache.set(userId, entry);
    // Maps iterate in insertion order: the first key is the oldest.
    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  }
  return entry.roles.has(role);
}

/** Tests only: start from a cold isolate. */
export function clearRoleCache(): void {
  cache.clear();
}
