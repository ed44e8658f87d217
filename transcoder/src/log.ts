/**
 * The transcoder's one logger: JSON lines on stdout/stderr so container log shippers
 * can parse them, with a short human prefix-free shape `{ level, msg, ...fields }`.
 * `LOG_LEVEL` picks the threshold (`silent` mutes everything but errors); default `info`,
 * `warn` under vitest.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

const ORDER: Record<LogLevel | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 50 };

function threshold(): number {
  // Under vitest the logs would drown the test report: warnings and errors only, unless asked.
  const raw = process.env.LOG_LEVEL ?? (process.env.VITEST ? "warn" : "info");
  return raw in ORDER ? ORDER[raw as LogLevel] : ORDER.info;
}

function write(level: LogLevel, msg: string, fields?: LogFields): void {
  if (ORDER[level] < threshold() && level !== "error") return;
  const line = JSON.stringify({ level, at: new Date().toISOString(), msg, ...fields });
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
