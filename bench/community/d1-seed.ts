/**
 * Seeding a local D1 for the community benches (ADR 0017): a generated SQL file run by
 * `wrangler d1 execute --local --file`, and one-off queries, against a `--persist-to`
 * directory — a fresh one, or a running stack's (SQLite takes the writes beside wrangler dev).
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, wranglerBin } from "../../scripts/lib/stack.ts";

const ENV = {
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  NO_COLOR: "1",
  CI: "true",
};

function wrangler(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wranglerBin(), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...ENV },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (out += d));
    child.on("close", (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`wrangler ${args[1]} exited ${code}:\n${out.slice(-2000)}`)),
    );
  });
}

const d1Args = (persistTo: string) => [
  "d1",
  "execute",
  "streamline",
  "--local",
  "--persist-to",
  persistTo,
  "-c",
  "wrangler.toml",
];

/** Runs the statements (written to `dir/name.sql`) in one `wrangler d1 execute --file`. */
export async function executeSqlFile(
  persistTo: string,
  dir: string,
  name: string,
  sql: string[],
): Promise<void> {
  const file = join(dir, `${name}.sql`);
  writeFileSync(file, `${sql.join(";\n")};\n`);
  await wrangler([...d1Args(persistTo), "--file", file, "--yes"]);
}

/** One query's rows. */
export async function query<T>(persistTo: string, sql: string): Promise<T[]> {
  const out = await wrangler([...d1Args(persistTo), "--command", sql, "--json"]);
  const parsed = JSON.parse(out.slice(out.indexOf("["))) as { results: T[] }[];
  return parsed[0]?.results ?? [];
}

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Multi-row INSERTs of `rows` (already SQL literals), `chunk` rows per statement. */
export function inserts(table: string, columns: string[], rows: string[][], chunk = 500): string[] {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    const values = rows.slice(i, i + chunk).map((r) => `(${r.join(",")})`);
    out.push(`insert into ${table} (${columns.join(",")}) values ${values.join(",")}`);
  }
  return out;
}

/** Accounts (and their channels) with these ids: handle `<prefix>-<n>`, no usable password. */
export function userRows(ids: string[], prefix: string): string[] {
  const users = ids.map((id, n) => [
    q(id),
    q(`${prefix}-${n}@bench.test`),
    q(`${prefix}-${n}`),
    q("!no-password"),
  ]);
  const channels = ids.map((id, n) => [q(id), q(`${prefix} ${n}`)]);
  return [
    ...inserts("users", ["id", "email", "handle", "password_hash"], users),
    ...inserts("channels", ["user_id", "display_name"], channels),
  ];
}

export function subscriptionRows(subscriberIds: string[], channelIds: string[], now: number): string[] {
  const rows = subscriberIds.flatMap((s) => channelIds.map((c) => [q(s), q(c), String(now)]));
  return inserts("subscriptions", ["subscriber_id", "channel_id", "created_at"], rows);
}

export { q as sqlText };
