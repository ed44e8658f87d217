/**
 * The one error type of the edge and the one JSON shape every error leaves in:
 * `{ error: { code, message, issues? } }`. Codes are stable snake_case strings.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { log } from "./log.ts";

export class AppError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly issues: unknown[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    extra?: { issues?: unknown[]; headers?: Record<string, string> },
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = extra?.issues;
    this.headers = extra?.headers;
  }
}

export const notFound = (what = "video") => new AppError(404, "not_found", `${what} not found`);

export function validationError(error: ZodError, where = "body"): AppError {
  return new AppError(400, "validation_failed", `invalid request ${where}`, {
    issues: error.issues.map((i) => ({ path: i.path.join("."), message: i.message, code: i.code })),
  });
}

const HTTP_EXCEPTION_CODES: Partial<Record<number, [code: string, message: string]>> = {
  400: ["invalid_json", "request body is not valid JSON"],
  413: ["payload_too_large", ""],
  415: ["unsupported_media_type", "send the body as application/json"],
};

export function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof AppError) {
    const body = {
      error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) },
    };
    return c.json(body, err.status, err.headers);
  }
  // Hono's own HTTPExceptions keep their status. The route validators throw two: 400 for a
  // body that is not JSON at all, 415 for a body of a media type the route does not declare.
  if (err instanceof Error && "getResponse" in err && "status" in err && typeof err.status === "number") {
    const status = err.status as ContentfulStatusCode;
    const known = HTTP_EXCEPTION_CODES[status];
    return c.json(
      { error: { code: known?.[0] ?? "bad_request", message: known?.[1] || err.message } },
      status,
    );
  }
  if (isDatabaseUnavailable(err)) {
    log.warn("database unavailable", { error: errorChain(err) });
    return c.json(
      { error: { code: "database_unavailable", message: "the database did not answer; try again" } },
      503,
      { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
    );
  }
  log.error("unhandled error", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return c.json({ error: { code: "internal_error", message: "something went wrong on our side" } }, 500);
}

/** Seconds a client should wait before trying again after a D1 fault. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * D1's own faults (the database overloaded, reset, unreachable, a storage timeout): they
 * surface as `D1_ERROR: …`/`D1 DB …` errors, wrapped by drizzle in a DrizzleQueryError
 * whose `cause` is D1's. They answer 503 with `Retry-After`: the request may succeed if
 * repeated. What the SQL itself got wrong (a constraint, a syntax error, a missing table) is
 * a bug or a race, and stays a 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const chain = errorChain(err);
  return /\bD1(_ERROR|_EXEC_ERROR| DB)\b|\bD1_/.test(chain) && !SQL_MISTAKE.test(chain);
}

const SQL_MISTAKE =
  /constraint failed|SQLITE_CONSTRAINT|syntax error|no such (table|column)|datatype mismatch/i;

function errorChain(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    parts.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(" ← ");
}
