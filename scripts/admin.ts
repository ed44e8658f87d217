/**
 * `npm run admin -- <command>`: the operator's way to grant and revoke roles (D1
 * `user_roles`). Nothing in the API grants a role, and signing up with some address never
 * does (issue 11, hole 6).
 *
 *   npm run admin -- grant <email> <admin|moderator> [--allow-unverified]
 *   npm run admin -- revoke <email> <admin|moderator>
 *   npm run admin -- list
 *
 * Local by default: `wrangler d1 execute streamline --local` against `.data/wrangler`, the
 * state `npm run dev` uses (`--persist-to <dir>` for another). `--remote` runs the same SQL
 * against the deployed database (wrangler's own login or CLOUDFLARE_API_TOKEN).
 *
 * The email is validated by the API's own schema, then written into the SQL as a quoted
 * literal (`'` doubled; SQLite literals know no other escape) — never interpolated raw; the
 * SQL travels as one argv entry to wrangler, no shell involved. `grant` refuses an address
 * whose `users.email_verified_at` is unset (the mailed link was never opened, ADR 0014)
 * unless `--allow-unverified` is given; on a database from before migration 0006 it says
 * so and grants. The edge notices a change within 10 s (ROLE_CACHE_MS).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Email } from "@streamline/contracts";
import { z } from "zod";
import { ROOT, wranglerBin } from "./lib/stack.ts";

export const ROLES = ["admin", "moderator"] as const;
export const DEFAULT_PERSIST_TO = join(ROOT, ".data/wrangler");
const USAGE = `usage: npm run admin -- grant <email> <${ROLES.join("|")}> [--allow-unverified] [--remote | --persist-to <dir>]
       npm run admin -- revoke <email> <${ROLES.join("|")}> [--remote | --persist-to <dir>]
       npm run admin -- list [--remote | --persist-to <dir>]`;

const Role = z.enum(ROLES, { message: `role must be one of: ${ROLES.join(", ")}` });
const Command = z.discriminatedUnion("action", [
  z.object({ action: z.literal("grant"), email: Email, role: Role, allowUnverified: z.boolean() }),
  z.object({ action: z.literal("revoke"), email: Email, role: Role }),
  z.object({ action: z.literal("list") }),
]);
type Command = z.infer<typeof Command>;

/** Where the SQL runs: the local state (`--persist-to`) or the deployed database. */
export type Target = { remote: true } | { remote: false; persistTo: string };

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The command line itself is wrong: exit 2 with the usage. */
class UsageError extends Error {}
/** A well-formed command the database state refuses (no such account, unverified): exit 1. */
class Refusal extends Error {}

/** A SQLite string literal: the only escape SQLite knows inside '…' is a doubled quote. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function parseCommand(argv: string[]): { command: Command; target: Target } {
  let parsed: ReturnType<typeof parseArgsStrict>;
  try {
    parsed = parseArgsStrict(argv);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  const [action, email, role, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  const command = Command.safeParse({ action, email, role, allowUnverified: values["allow-unverified"] });
  if (!command.success) {
    throw new UsageError(
      command.error.issues.map((i) => `${i.path.join(".") || "command"}: ${i.message}`).join("; "),
    );
  }
  if (values.remote && values["persist-to"])
    throw new UsageError("--remote and --persist-to exclude each other");
  const target: Target = values.remote
    ? { remote: true }
    : { remote: false, persistTo: values["persist-to"] ?? DEFAULT_PERSIST_TO };
  return { command: command.data, target };
}

function parseArgsStrict(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      remote: { type: "boolean", default: false },
      "persist-to": { type: "string" },
      "allow-unverified": { type: "boolean", default: false },
    },
  });
}

type Rows = Record<string, unknown>[];

/** Runs `sql` (statements separated by `;`) through `wrangler d1 execute`; one result list per statement. */
export function runD1(sql: string, target: Target): Rows[] {
  const where = target.remote ? ["--remote"] : ["--local", "--persist-to", target.persistTo];
  const res = spawnSync(
    process.execPath,
    [
      wranglerBin(),
      "d1",
      "execute",
      "streamline",
      ...where,
      "-c",
      "wrangler.toml",
      "--json",
      "--yes",
      "--command",
      sql,
    ],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        CI: "true",
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  let body: unknown;
  try {
    body = JSON.parse(res.stdout);
  } catch {
    body = undefined;
  }
  if (res.status !== 0 || !Array.isArray(body)) {
    const detail =
      (body as { error?: { text?: string } } | undefined)?.error?.text ?? `${res.stdout}\n${res.stderr}`;
    const hint = /no such table/.test(detail)
      ? "\nthe database has no schema yet: run `npm run dev` once, or `npx wrangler d1 migrations apply streamline --local` (or --remote)"
      : "";
    throw new Error(`wrangler d1 execute failed: ${detail.trim()}${hint}`);
  }
  return body.map((r: { results?: Rows }) => r.results ?? []);
}

function grant(c: Extract<Command, { action: "grant" }>, target: Target, io: Io) {
  const [columns = [], users = []] = runD1(
    `PRAGMA table_info(users); SELECT * FROM users WHERE email = ${sqlString(c.email)}`,
    target,
  );
  const user = users[0];
  if (!user) throw new Refusal(`no account with the email ${c.email} (the user signs up first)`);
  const canVerify = columns.some((col) => col.name === "email_verified_at");
  if (canVerify && user.email_verified_at == null && !c.allowUnverified) {
    throw new Refusal(
      `${c.email} has not verified its email address; anyone may have registered it. ` +
        "Grant anyway with --allow-unverified if you know who holds the account.",
    );
  }
  if (!canVerify) {
    io.out(
      "note: email verification does not exist yet (no users.email_verified_at); make sure you know who registered this address.",
    );
  }
  const [inserted = []] = runD1(
    `INSERT INTO user_roles (user_id, role, granted_at, granted_by) VALUES (${sqlString(String(user.id))}, ${sqlString(c.role)}, ${Date.now()}, 'cli') ON CONFLICT DO NOTHING RETURNING user_id`,
    target,
  );
  io.out(
    inserted.length > 0
      ? `granted ${c.role} to ${c.email} (${user.id}); the edge sees it within 10 s`
      : `${c.email} already has ${c.role}`,
  );
}

function revoke(c: Extract<Command, { action: "revoke" }>, target: Target, io: Io) {
  const [deleted = []] = runD1(
    `DELETE FROM user_roles WHERE role = ${sqlString(c.role)} AND user_id IN (SELECT id FROM users WHERE email = ${sqlString(c.email)}) RETURNING user_id`,
    target,
  );
  io.out(
    deleted.length > 0
      ? `revoked ${c.role} from ${c.email}; the edge stops honouring it within 10 s`
      : `${c.email} does not have ${c.role} (nothing changed)`,
  );
}

function list(target: Target, io: Io) {
  const [rows = []] = runD1(
    "SELECT u.email, u.handle, r.role, r.granted_at, r.granted_by FROM user_roles r JOIN users u ON u.id = r.user_id ORDER BY r.role, u.email",
    target,
  );
  if (rows.length === 0) {
    io.out("no roles granted");
    return;
  }
  for (const r of rows) {
    io.out(
      `${r.role}\t${r.email}\t@${r.handle}\tgranted ${new Date(Number(r.granted_at)).toISOString()} by ${r.granted_by}`,
    );
  }
}

/** The command line, as a function (tests call it in-process); returns the exit code. */
export function runAdmin(argv: string[], io: Io = { out: console.log, err: console.error }): number {
  try {
    const { command, target } = parseCommand(argv);
    if (command.action === "grant") grant(command, target, io);
    else if (command.action === "revoke") revoke(command, target, io);
    else list(target, io);
    return 0;
  } catch (err) {
    io.err(err instanceof Error ? err.message : String(err));
    if (err instanceof UsageError) {
      io.err(USAGE);
      return 2;
    }
    return 1;
  }
}

if (import.meta.main) process.exit(runAdmin(process.argv.slice(2)));
