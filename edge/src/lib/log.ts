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
import { LOG_LEVEL_ORDER, type LogFields, type LogLevel, structuredLog } from "@streamline/contracts";

export type { LogFields, LogLevel };

let threshold = LOG_LEVEL_ORDER.info;
let pinned = false;

/** The configured threshold (services() applies `LOG_LEVEL`); errors are always written. */
export function setLogLevel(level: LogLevel | "silent"): void {
  if (!pinned) threshold = LOG_LEVEL_ORDER[level];
}

/** Tests: hold the threshold at `level` whatever `LOG_LEVEL` says, until `null`. */
export function pinLogLevel(level: LogLevel | null): void {
  pinned = false;
  if (level !== null) {
    setLogLevel(level);
    pinned = true;
  }
}

export const { log, formatLine, withLogContext, annotateLog, logContext } = structuredLog({
  scope: new AsyncLocalStorage<LogFields>(),
  enabled: (level) => LOG_LEVEL_ORDER[level] >= threshold,
  emit(level, line) {
    if (level === "error") console.error(line);
    else if (level === "warn") console.warn(line);
    else console.log(line);
  },
});

/** Error → short loggable string. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
