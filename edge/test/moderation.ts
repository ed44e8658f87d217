/**
 * Suspending an account the way a moderator does (ADR 0024): a report on the user's channel,
 * resolved with `suspend_user` by a moderator, through the admin API — so the tests that need
 * a suspended user get every effect of the real action (sessions revoked, sockets closed).
 */
import { clearRoleCache } from "../src/features/auth/roles.ts";
import { grantRole, signUp, type TestUser } from "./auth.ts";
import { callJson } from "./http.ts";

let moderator: Promise<TestUser> | undefined;

async function aModerator(): Promise<TestUser> {
  const user = await signUp();
  await grantRole(user, "moderator");
  clearRoleCache();
  return user;
}

export async function suspendThroughModeration(target: { handle: string }, reason: string): Promise<void> {
  moderator ??= aModerator();
  const mod = await moderator;
  const reporter = await signUp();
  const filed = await callJson<{ report: { id: string } }>("/api/reports", {
    method: "POST",
    json: { targetType: "channel", targetId: target.handle, reason: "harassment" },
    headers: reporter.auth,
  });
  if (filed.status !== 201 && filed.status !== 200) throw new Error(`report: ${filed.status}`);
  const done = await callJson(`/api/admin/reports/${filed.body.report.id}/resolve`, {
    method: "POST",
    json: { action: "suspend_user", note: reason },
    headers: mod.auth,
  });
  if (done.status !== 200) throw new Error(`suspend: ${done.status} ${JSON.stringify(done.body)}`);
}
