/**
 * Who moderates: users holding `moderator` or `admin` in D1's `user_roles` (granted only by
 * `npm run admin -- grant`, scripts/admin.ts). Everyone else gets 404 from /api/admin/*, so
 * the moderation endpoints don't advertise themselves.
 */
import type { Database } from "../../db/client.ts";
import { notFound } from "../../lib/errors.ts";
import { hasRole } from "../auth/roles.ts";

export async function isStaff(db: Database, userId: string): Promise<boolean> {
  return (await hasRole(db, userId, "moderator")) || (await hasRole(db, userId, "admin"));
}

/** 404 unless `userId` moderates. */
export async function requireStaff(db: Database, userId: string): Promise<void> {
  if (!(await isStaff(db, userId))) throw notFound("page");
}
