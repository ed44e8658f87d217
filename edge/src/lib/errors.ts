/**
 * The one error type of the edge and the one JSON shape every error leaves in:
 * `{ error: { code, message, issues? } }`. Codes are stable snake_case strings.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";

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

export function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof AppError) {
    const body = {
      error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) },
    };
    return c.json(body, err.status, err.headers);
  }
  // Hono's own HTTPExceptions (e.g. from body-limit) keep their status.
  if (err instanceof Error && "getResponse" in err && "status" in err && typeof err.status === "number") {
    const status = err.status as ContentfulStatusCode;
    return c.json(
      { error: { code: status === 413 ? "payload_too_large" : "bad_request", message: err.message } },
      status,
    );
  }
  console.error("unhandled error", err instanceof Error ? (err.stack ?? err.message) : err);
  return c.json({ error: { code: "internal_error", message: "something went wrong on our side" } }, 500);
}
