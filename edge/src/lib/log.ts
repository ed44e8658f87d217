/**
 * The edge's one logger: one JSON line per call, `{ level, at, msg, ...context, ...fields }`,
 * through the console, which Workers Logs / `wrangler tail` collect (ADR 0028).
 *
 * The context — `requestId`, and once known `videoId`, `jobId`, `attempt` — lives in an
 * AsyncLocalStorage scope opened by the request-id middleware, the queue consumers and the
 * cron, so code deep inside a service logs the ids without having them passed down; one
 * `grep <videoId>` then follows a video across the edge's and the fleet's logs.
 * A line below the threshold (`LOG_LEVEL`, default `info`) costs one comparison.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

const ORDER: Record<LogLevel | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 50 };

const scope = new AsyncLocalStorage<LogFields>();
let threshold = ORDER.info;
let pinned = false;

/** The configured threshold (services() applies `LOG_LEVEL`); errors are always written. */
export function setLogLevel(level: LogLevel | "silent"): void {
  if (!pinned) threshold = ORDER[level];
}

/** Tests: hold the threshold at `level` whatever `LOG_LEVEL` says, until `null`. */
export function pinLogLevel(level: LogLevel | null): void {
  pinned = false;
  if (level !== null) {
    setLogLevel(level);
    pinned = true;
  }
}

/** Runs `fn` with `fields` added to every line logged inside it (nested scopes merge). */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  return scope.run({ ...scope.getStore(), ...definedOnly(fields) }, fn);
}

/** Adds fields to the current scope (e.g. the video a request turned out to be about). */
export function annotateLog(fields: LogFields): void {
  const store = scope.getStore();
  if (store) Object.assign(store, definedOnly(fields));
}

/** The current scope's fields (`requestId`, …), e.g. to carry them across a queue hop. */
export function logContext(): Readonly<LogFields> {
  return scope.getStore() ?? {};
}

function definedOnly(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

/** One JSON line; exported for tests. */
export function formatLine(level: LogLevel, msg: string, fields?: LogFields, now = new Date()): string {
  return JSON.stringify({ level, at: now.toISOString(), msg, ...scope.getStore(), ...fields }, errorsAsText);
}

function errorsAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}

function write(level: LogLevel, msg: string, fields?: LogFields): void {
  if (ORDER[level] < threshold && level !== "error") return;
  const line = formatLine(level, msg, fields);
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

export const log = {
  debug: (msg: string, fields?: LogFields) => write("debug", msg, fields),
  info: (msg: string, fields?: LogFields) => write("info", msg, fields),
  warn: (msg: string, fields?: LogFields) => write("warn", msg, fields),
  error: (msg: string, fields?: LogFields) => write("error", msg, fields),
};

/** Error → short loggable string. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
