/**
 * What a suspension hides (issue 15, ADR 0024): a suspended user's videos, comments and
 * channel disappear for everyone. These are the SQL conditions other features' queries add
 * (listableVideo(), comments, channel lookups) and the one-row check for direct reads.
 */
import { eq, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Database } from "../db/client.ts";
import { users } from "../db/schema.ts";

/** `column` (a user id) names nobody suspended; true for NULL (videos from before accounts). */
export function userNotSuspended(column: SQLiteColumn): SQL {
  return sql`not exists (select 1 from ${users} where ${users.id} = ${column} and ${users.suspendedAt} is not null)`;
}

/** Is `userId` suspended now? (A direct read: `GET /api/videos/:id` of their video → 404.) */
export async function isSuspended(db: Database, userId: string | null | undefined): Promise<boolean> {
  if (!userId) return false;
  const row = await db.select({ at: users.suspendedAt }).from(users).where(eq(users.id, userId)).get();
  return row?.at != null;
}
