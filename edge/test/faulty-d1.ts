/**
 * A D1 binding that fails on purpose, for the database fault tests: it wraps the real
 * binding, passes every statement through, and throws D1's own error shape
 * (`D1_ERROR: …`) for the statements a rule picks. A batch counts as one unit, the way D1
 * runs it (one transaction): when any statement in it is picked, none of it runs.
 */

export interface D1FaultRule {
  /** Statements whose SQL matches; only these are counted. */
  sql: RegExp;
  /** Fail the nth matching statement (1-based) and every later one while `times` lasts. */
  nth?: number;
  /** How many failures in all (default: 1). */
  times?: number;
  message?: string;
}

export interface FaultyD1 {
  db: D1Database;
  /** Statements (SQL) the wrapper saw, in order; batches as one entry each. */
  seen: string[];
  failures: number;
}

const REAL = Symbol("real statement");
type Wrapped = D1PreparedStatement & { [REAL]: D1PreparedStatement; sql: string };

export function faultyD1(real: D1Database, rule: D1FaultRule): FaultyD1 {
  let matched = 0;
  let left = rule.times ?? 1;
  const state: FaultyD1 = { db: undefined as unknown as D1Database, seen: [], failures: 0 };
  const check = (sqls: string[]) => {
    state.seen.push(sqls.join(" ; "));
    if (!sqls.some((sql) => rule.sql.test(sql))) return;
    matched++;
    if (matched >= (rule.nth ?? 1) && left > 0) {
      left--;
      state.failures++;
      throw new Error(rule.message ?? "D1_ERROR: Network connection lost.");
    }
  };
  const wrap = (stmt: D1PreparedStatement, sql: string): Wrapped => {
    const run =
      <K extends "first" | "run" | "all" | "raw">(method: K) =>
      // biome-ignore lint/suspicious/noExplicitAny: forwards D1's overloaded signatures
      async (...args: any[]) => {
        check([sql]);
        // biome-ignore lint/suspicious/noExplicitAny: forwards D1's overloaded signatures
        return (stmt[method] as (...a: any[]) => unknown).apply(stmt, args);
      };
    return {
      [REAL]: stmt,
      sql,
      bind: (...values: unknown[]) => wrap(stmt.bind(...values), sql),
      first: run("first"),
      run: run("run"),
      all: run("all"),
      raw: run("raw"),
    } as unknown as Wrapped;
  };
  state.db = {
    prepare: (sql: string) => wrap(real.prepare(sql), sql),
    batch: async (statements: D1PreparedStatement[]) => {
      const wrapped = statements as Wrapped[];
      check(wrapped.map((s) => s.sql));
      return real.batch(wrapped.map((s) => s[REAL]));
    },
    exec: (sql: string) => {
      check([sql]);
      return real.exec(sql);
    },
    dump: () => real.dump(),
    withSession: () => {
      throw new Error("faulty-d1: sessions are not wrapped");
    },
  } as unknown as D1Database;
  return state;
}
