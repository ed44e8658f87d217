/**
 * The transcoder's one logger: JSON lines on stdout/stderr so container log shippers
 * can parse them, with a short human prefix-free shape `{ level, at, msg, ...scope, ...fields }`.
 * `LOG_LEVEL` picks the threshold (`silent` mutes everything but errors); default `info`,
 * `warn` under vitest.
 *
 * The scope (AsyncLocalStorage) is opened per job by the runner with the job's ids and the
 * request id the dispatch carried (`x-request-id`, ADR 0028): every line logged while the job
 * runs — ffmpeg, storage, events — carries `requestId`, `videoId`, `jobId` and `attempt`.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

const ORDER: Record<LogLevel | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 50 };

function threshold(): number {
  // Under vitest the logs would drown the test report: warnings and errors only, unless asked.
  const raw = process.env.LOG_LEVEL ?? (process.env.VITEST ? "warn" : "info");
  return raw in ORDER ? ORDER[raw as LogLevel] : ORDER.info;
}

const scope = new AsyncLocalStorage<LogFields>();

/** Runs `fn` with `fields` on every line logged inside it (nested scopes merge; undefined fields are left out). */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  const merged: LogFields = { ...scope.getStore() };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) merged[k] = v;
  return scope.run(merged, fn);
}

/** The current scope's fields. */
export function logContext(): Readonly<LogFields> {
  return scope.getStore() ?? {};
}

function write(level: LogLevel, msg: string, fields?: LogFields): void {
  if (ORDER[level] < threshold() && level !== "error") return;
  const line = JSON.stringify({ level, at: new Date().toISOString(), msg, ...scope.getStore(), ...fields });
  if (level === "error" || level === "warn") process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}

export const log = {
  debug: (msg: string, fields?: LogFields) => write("debug", msg, fields),
  info: (msg: string, fields?: LogFields) => write("info", msg, fields),
  warn: (msg: string, fields?: LogFields) => write("warn", msg, fields),
  error: (msg: string, fields?: LogFields) => write("error", msg, fields),
};

/** Error → short loggable string (never a stack in events sent to the edge). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
