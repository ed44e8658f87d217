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
import { LOG_LEVEL_ORDER, type LogFields, type LogLevel, structuredLog } from "@streamline/contracts";

export type { LogFields, LogLevel };

function threshold(): number {
  // Under vitest the logs would drown the test report: warnings and errors only, unless asked.
  const raw = process.env.LOG_LEVEL ?? (process.env.VITEST ? "warn" : "info");
  return raw in LOG_LEVEL_ORDER ? LOG_LEVEL_ORDER[raw as LogLevel] : LOG_LEVEL_ORDER.info;
}

export const { log, withLogContext, logContext } = structuredLog({
  scope: new AsyncLocalStorage<LogFields>(),
  enabled: (level) => LOG_LEVEL_ORDER[level] >= threshold(),
  emit(level, line) {
    (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);
  },
});

/** Error → short loggable string (never a stack in events sent to the edge). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
