/**
 * `npm run admin` against a real local D1 (wrangler d1 execute on a temp persist dir, the
 * schema from migrations/): grant, list, revoke, refusals, quoting, and the verification
 * check that switches on once `users.email_verified_at` exists.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommand, runAdmin, runD1, sqlString, type Target } from "./admin.ts";
import { ROOT } from "./lib/stack.ts";

let dir: string;
let target: Target;

function admin(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runAdmin([...argv, "--persist-to", dir], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** A user row; verified unless `verified` is false (users.email_verified_at, migration 0006). */
const user = (id: string, email: string, handle: string, verified = true) =>
  `INSERT INTO users (id, email, handle, password_hash, email_verified_at, created_at, updated_at) VALUES (${sqlString(id)}, ${sqlString(email)}, ${sqlString(handle)}, 'x', ${verified ? 1 : "NULL"}, 1, 1)`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "streamline-admin-"));
  target = { remote: false, persistTo: dir };
  const migrations = readdirSync(join(ROOT, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => readFileSync(join(ROOT, "migrations", f), "utf8"))
    .join(";\n");
  runD1(
    `${migrations};\n${user("u_ana", "ana@example.com", "ana")}; ${user("u_obrien", "o'brien@example.com", "obrien")}`,
    target,
  );
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run admin", () => {
  it("grant → list → revoke, on the local D1 the dev stack uses", () => {
    const granted = admin("grant", "Ana@Example.com ", "admin");
    expect(granted, granted.err).toMatchObject({ code: 0 });
    expect(granted.out).toMatch(/granted admin to ana@example\.com \(u_ana\)/);
    expect(granted.out).not.toMatch(/does not exist yet/);

    const listed = admin("list");
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^admin\tana@example\.com\t@ana\tgranted \d{4}-\d\d-\d\dT.* by cli$/);

    const revoked = admin("revoke", "ana@example.com", "admin");
    expect(revoked).toMatchObject({
      code: 0,
      out: expect.stringMatching(/revoked admin from ana@example\.com/),
    });
    expect(admin("list").out).toBe("no roles granted");
  }, 60_000);

  it("refuses bad input before touching the database; quotes are data, not SQL", () => {
    for (const email of ["a'); DROP TABLE users; --@example.com", "not-an-email", "x@example.com\u0000"]) {
      const res = admin("grant", email, "admin");
      expect(res.code, email).toBe(2);
      expect(res.err).toMatch(/email: not a valid email address/);
    }
    expect(admin("grant", "ana@example.com", "root").err).toMatch(/role must be one of: admin, moderator/);
    expect(admin("grant", "ana@example.com").code).toBe(2);
    expect(admin("frobnicate").code).toBe(2);
    expect(admin("list", "--remote").err).toMatch(/exclude each other/);
    expect(admin("grant", "ana@example.com", "admin", "--force").err).toMatch(/Unknown option '--force'/);
    expect(() => parseCommand(["grant", "ana@example.com", "admin", "--remote"])).not.toThrow();

    // A valid address with a quote in it reaches only its own account.
    const quoted = admin("grant", "o'brien@example.com", "moderator");
    expect(quoted, quoted.err).toMatchObject({ code: 0 });
    expect(quoted.out).toMatch(/granted moderator to o'brien@example\.com \(u_obrien\)/);
    expect(admin("grant", "nobody@example.com", "admin")).toMatchObject({
      code: 1,
      err: expect.stringMatching(/no account with the email nobody@example\.com/),
    });
  }, 60_000);

  it("an unverified address needs --allow-unverified; verifying it lifts the refusal", () => {
    runD1(user("u_eve", "eve@example.com", "eve", false), target);
    const refused = admin("grant", "eve@example.com", "admin");
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/has not verified its email address.*--allow-unverified/s);
    const forced = admin("grant", "eve@example.com", "admin", "--allow-unverified");
    expect(forced, forced.err).toMatchObject({ code: 0 });
    expect(forced.out).toMatch(/granted admin to eve@example\.com/);
    expect(forced.out).not.toMatch(/does not exist yet/);
    runD1(`UPDATE users SET email_verified_at = 2 WHERE id = 'u_eve'`, target);
    expect(admin("grant", "eve@example.com", "moderator")).toMatchObject({
      code: 0,
      out: expect.stringMatching(/granted moderator to eve@example\.com/),
    });
  }, 60_000);
});
