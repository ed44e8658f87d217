/**
 * How edge routes describe themselves (ADR 0007): every route is a `createRoute` with zod
 * schemas from contracts, mounted on an `OpenAPIHono` whose one validation hook turns
 * failures into the one error shape. Helpers here build the parts every route repeats:
 * error responses with an example each, JSON bodies, security requirements.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { ErrorBody } from "@streamline/contracts";
import type { ZodError } from "zod";
import type { AppEnv } from "./app-env.ts";
import { type AppError, notFound, validationError } from "./errors.ts";

type Target = "json" | "query" | "param" | "header" | "cookie" | "form";

export interface ValidationHookOptions {
  /**
   * Path parameters that fail validation name something that cannot exist: 404 (video by
   * default), never an explanation of the id's shape. A route may decide otherwise.
   */
  param?: (error: ZodError) => AppError;
}

const WHERE: Record<Target, string> = {
  json: "body",
  form: "body",
  query: "query",
  param: "path",
  header: "headers",
  cookie: "cookies",
};

/** The hook every route validator reports to; throwing lands in `app.onError` → `errorResponse`. */
export function validationHook(options: ValidationHookOptions = {}) {
  return (result: { target: string; success: boolean; error?: ZodError }): undefined => {
    if (result.success || !result.error) return undefined;
    if (result.target === "param") throw (options.param ?? (() => notFound()))(result.error);
    throw validationError(result.error, WHERE[result.target as Target] ?? result.target);
  };
}

export const defaultHook = validationHook();

/** A router whose routes are documented and validated; mount it with `app.route()`. */
export const openApiRouter = () => new OpenAPIHono<AppEnv>({ defaultHook });

/** `security` of a route: Bearer required, or optional (anonymous allowed). */
type Security = Record<string, string[]>[];
export const BEARER: Security = [{ bearerAuth: [] }];
export const OPTIONAL_BEARER: Security = [{}, { bearerAuth: [] }];

const ERROR_TEXT: Record<number, [string, string, string]> = {
  400: ["Invalid request", "validation_failed", "invalid request body"],
  401: ["Not signed in, or the access token is expired or revoked", "auth_required", "sign in to do this"],
  403: ["Not allowed", "bad_origin", "missing Origin header"],
  404: ["Not found (or not visible to the caller)", "not_found", "video not found"],
  409: ["Conflicts with the current state", "conflict", "video is processing"],
  410: ["Gone", "video_gone", "the video was deleted"],
  413: ["Body too large", "payload_too_large", "request body over 65536 bytes"],
  415: ["Unsupported media type", "unsupported_media_type", "unsupported media type"],
  416: ["Range not satisfiable", "range_not_satisfiable", "bad Range header"],
  422: ["Well-formed but unusable content", "invalid_captions", "captions must be UTF-8 text"],
  426: ["Upgrade required", "upgrade_required", "this endpoint speaks WebSocket"],
  429: ["Rate limited (see Retry-After)", "rate_limited", "too many requests; try again in 60 seconds"],
  501: ["Not implemented", "not_implemented", "only format=json is served"],
  502: [
    "Storage failed to answer (see Retry-After)",
    "storage_unavailable",
    "storage is unavailable; try again",
  ],
  503: ["A dependency is unavailable (see Retry-After)", "storage_unavailable", "storage did not answer"],
  504: [
    "Storage did not answer in time (see Retry-After)",
    "storage_timeout",
    "storage did not answer in time",
  ],
};

type ErrorOverride = { code?: string; message?: string; description?: string };

/** One documented error response: the one error shape, with an example of its code. */
export function errorDoc(status: keyof typeof ERROR_TEXT, override: ErrorOverride = {}) {
  const [description, code, message] = ERROR_TEXT[status]!;
  const example = {
    error: {
      code: override.code ?? code,
      message: override.message ?? message,
      ...(status === 400 && !override.code
        ? { issues: [{ path: "title", message: "Too small", code: "too_small" }] }
        : {}),
    },
  };
  return {
    description: override.description ?? description,
    content: { "application/json": { schema: ErrorBody, example } },
  };
}

/** Several error responses by status: `...errors(400, 401, 404)`. */
export function errors<S extends keyof typeof ERROR_TEXT>(...statuses: S[]) {
  return Object.fromEntries(statuses.map((s) => [s, errorDoc(s)])) as Record<S, ReturnType<typeof errorDoc>>;
}

/** A JSON response (or body) with its schema and an example. */
export function json<T>(schema: T, description: string, example?: unknown) {
  return {
    description,
    content: { "application/json": { schema, ...(example !== undefined ? { example } : {}) } },
  };
}

/** A required JSON request body. */
export function jsonBody<T>(schema: T, example: unknown, description?: string) {
  return {
    required: true,
    ...(description ? { description } : {}),
    content: { "application/json": { schema, example } },
  };
}

/** Raw bytes (images, segments): described, not validated. */
export const BINARY = { type: "string", format: "binary" } as const;
export const TEXT = { type: "string" } as const;
