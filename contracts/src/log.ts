/**
 * The structured log shape both the edge and the fleet write (ADR 0028): one JSON line per
 * call, `{ level, at, msg, ...scope, ...fields }`, so one `grep <videoId>` follows a video
 * across both. The scope — `requestId`, `videoId`, `jobId`, `attempt` — lives in an
 * AsyncLocalStorage each package passes in (kept out of here so this module stays free of
 * Node APIs); the package also decides the threshold and where lines go.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export const LOG_LEVEL_ORDER: Record<LogLevel | "silent", number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 50,
};

/** What an AsyncLocalStorage<LogFields> offers, as far as logging needs it. */
export interface LogScope {
  getStore(): LogFields | undefined;
  run<T>(store: LogFields, fn: () => T): T;
}

export interface StructuredLogOptions {
  scope: LogScope;
  /** Whether a line at `level` is written (errors always are). */
  enabled: (level: LogLevel) => boolean;
  /** Writes one finished line. */
  emit: (level: LogLevel, line: string) => void;
}

export type Logger = Record<LogLevel, (msg: string, fields?: LogFields) => void>;

function definedOnly(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

/** An Error becomes its message (JSON.stringify would write `{}`); never a stack. */
function errorsAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}

export function structuredLog({ scope, enabled, emit }: StructuredLogOptions) {
  const formatLine = (level: LogLevel, msg: string, fields?: LogFields, now = new Date()): string =>
    JSON.stringify({ level, at: now.toISOString(), msg, ...scope.getStore(), ...fields }, errorsAsText);
  const write = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (level === "error" || enabled(level)) emit(level, formatLine(level, msg, fields));
  };
  const log: Logger = {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
  };
  return {
    log,
    /** One JSON line (exported for tests). */
    formatLine,
    /** Runs `fn` with `fields` added to every line logged inside it (nested scopes merge; undefined fields are left out). */
    withLogContext: <T>(fields: LogFields, fn: () => T): T =>
      scope.run({ ...scope.getStore(), ...definedOnly(fields) }, fn),
    /** Adds fields to the current scope (e.g. the video a request turned out to be about). */
    annotateLog(fields: LogFields): void {
      const store = scope.getStore();
      if (store) Object.assign(store, definedOnly(fields));
    },
    /** The current scope's fields (`requestId`, …), e.g. to carry them across a queue hop. */
    logContext: (): Readonly<LogFields> => scope.getStore() ?? {},
  };
}
