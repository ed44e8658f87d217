/**
 * A fresh local D1 for one discovery section: migrations applied (`wrangler d1 migrations
 * apply`, the path `npm run dev` takes), seeded by writing straight into that D1's SQLite file
 * (node:sqlite, one transaction; the tables' triggers — search's FTS index among them — run as
 * they do in D1), then queried through wrangler's own local binding (`getPlatformProxy`, the
 * workerd D1 `wrangler dev` runs). Timings use D1's own `meta.duration` and the round trip
 * through the binding.
 *
 * Seeding used `wrangler d1 execute --file` (one workerd start and a 100 KB statement limit per
 * file): 100,000 videos took 20 minutes on the loaded machine. The file is the same one
 * wrangler writes; nothing holds it open until `open()`.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { getPlatformProxy } from "wrangler";
import { applyMigrations, ROOT } from "../../scripts/lib/stack.ts";
import { round } from "../lib/results.ts";

export { inserts, sqlText, userRows } from "../community/d1-seed.ts";

export interface D1Like {
  prepare(sql: string): {
    bind(...v: unknown[]): {
      all<T>(): Promise<{ results: T[]; meta: { duration: number } }>;
      run(): Promise<{ meta: { duration: number } }>;
    };
  };
}

export interface LocalD1 {
  /** Runs the statements in one transaction on the D1's SQLite file (before `open()` only). */
  execute(name: string, statements: string[]): Promise<void>;
  /** Opens the binding (after seeding: the proxy keeps the database open). */
  open(): Promise<D1Like>;
  dispose(): Promise<void>;
}

export function freshLocalD1(name: string): LocalD1 {
  const dir = mkdtempSync(join(tmpdir(), `streamline-bench-${name}-`));
  const persistTo = join(dir, "wrangler");
  applyMigrations(persistTo);
  let proxy: Awaited<ReturnType<typeof getPlatformProxy>> | undefined;
  return {
    async execute(name, statements) {
      if (proxy) throw new Error(`seed ${name}: the binding is open; seed before open()`);
      executeDirect(d1File(persistTo), statements);
    },
    async open() {
      proxy ??= await getPlatformProxy({
        configPath: join(ROOT, "wrangler.toml"),
        // wrangler keeps local state under `<persist-to>/v3`.
        persist: { path: join(persistTo, "v3") },
      });
      return (proxy.env as { DB: D1Like }).DB;
    },
    async dispose() {
      await proxy?.dispose();
      // KEEP_D1=1 keeps the seeded database for EXPLAIN QUERY PLAN and the like.
      if (process.env.KEEP_D1) console.log(`  kept ${name}'s D1: ${d1File(persistTo)}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The database file of the one local D1 under `persistTo` (miniflare names it by a hash). */
function d1File(persistTo: string): string {
  const dir = join(persistTo, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files}`);
  return join(dir, files[0]!);
}

/** The statements in one transaction, foreign keys on as D1 has them. */
function executeDirect(file: string, statements: string[]): void {
  const db = new DatabaseSync(file);
  try {
    db.exec("PRAGMA foreign_keys = ON; BEGIN");
    for (const statement of statements) db.exec(statement);
    db.exec("COMMIT");
  } catch (err) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw err;
  } finally {
    db.close();
  }
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export interface Timing {
  sqlP50Ms: number;
  sqlP99Ms: number;
  roundTripP50Ms: number;
  roundTripP99Ms: number;
  runs: number;
}

/** Runs `fn` `runs` times after 5 warm-ups; `fn` returns D1's own execution time (ms). */
export async function timed(runs: number, fn: (i: number) => Promise<number>): Promise<Timing> {
  for (let i = 0; i < 5; i++) await fn(i);
  const ms: number[] = [];
  const sql: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    sql.push(await fn(i));
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  sql.sort((a, b) => a - b);
  return {
    sqlP50Ms: round(percentile(sql, 50), 2),
    sqlP99Ms: round(percentile(sql, 99), 2),
    roundTripP50Ms: round(percentile(ms, 50), 2),
    roundTripP99Ms: round(percentile(ms, 99), 2),
    runs,
  };
}
