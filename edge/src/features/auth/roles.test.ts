import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { grantRole, signUp } from "../../../test/auth.ts";
import { call } from "../../../test/http.ts";
import { database } from "../../db/client.ts";
import { clearRoleCache, hasRole, ROLE_CACHE_MS, RolesRepo } from "./roles.ts";

describe("roles come from D1, never from an email address (hole 6)", () => {
  beforeEach(() => clearRoleCache());

  it("signing up as the address the old ADMIN_EMAILS named grants nothing", async () => {
    const squatter = await signUp({ email: "admin@example.com" }).catch(() => null);
    // Another test file may have taken the address first; either way nobody is admin by it.
    const row = await env.DB.prepare("select id from users where email = 'admin@example.com'").first<{
      id: string;
    }>();
    expect(row).not.toBeNull();
    expect(await hasRole(database(env.DB), row!.id, "admin")).toBe(false);
    if (squatter) expect((await call("/api/admin/fleet", { headers: squatter.auth })).status).toBe(404);
  });

  it("a granted role opens /api/admin; revoking it closes it again", async () => {
    const user = await signUp();
    expect((await call("/api/admin/fleet", { headers: user.auth })).status).toBe(404);
    await grantRole(user);
    clearRoleCache(); // the 404 above was remembered for ROLE_CACHE_MS
    expect((await call("/api/admin/fleet", { headers: user.auth })).status).toBe(200);
    await new RolesRepo(database(env.DB)).revoke(user.id, "admin");
    expect((await call("/api/admin/fleet", { headers: user.auth })).status).toBe(404);
  });

  it("moderator is not admin", async () => {
    const user = await signUp();
    await grantRole(user, "moderator");
    const db = database(env.DB);
    expect(await hasRole(db, user.id, "moderator")).toBe(true);
    expect(await hasRole(db, user.id, "admin")).toBe(false);
  });

  it("an isolate trusts its answer for ROLE_CACHE_MS, then asks D1 again", async () => {
    const user = await signUp();
    const db = database(env.DB);
    const t0 = 1_000_000;
    expect(await hasRole(db, user.id, "admin", t0)).toBe(false);
    // Granted behind this isolate's back (the operator command writes straight to D1).
    await env.DB.prepare("insert into user_roles (user_id, role) values (?, 'admin')").bind(user.id).run();
    expect(await hasRole(db, user.id, "admin", t0 + ROLE_CACHE_MS - 1)).toBe(false);
    expect(await hasRole(db, user.id, "admin", t0 + ROLE_CACHE_MS)).toBe(true);
  });
});
