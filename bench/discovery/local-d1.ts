/**
 * A fresh local D1 for one discovery section: migrations applied (`wrangler d1 migrations
 * apply`, the path `npm run dev` takes), seeded with `wrangler d1 execute --file`, then queried
 * through wrangler's own local binding (`getPlatformProxy`, the workerd D1 `wrangler dev`
 * runs). Timings use D1's own `meta.duration` and the round trip through the binding.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getPlatformProxy } from "wrangler";
import { applyMigrations, ROOT } from "../../scripts/lib/stack.ts";
import { executeSqlFile } from "../community/d1-seed.ts";
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
  /** Runs the statements in one `wrangler d1 execute --file` (fast for bulk seeding). */
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
    execute: (file, statements) => executeSqlFile(persistTo, dir, file, statements),
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
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
