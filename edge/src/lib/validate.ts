/** Request parsing at the boundary: JSON bodies and params through zod, errors in our shape. */
import type { Context } from "hono";
import type { z } from "zod";
import { MAX_JSON_BYTES } from "../middleware/body-limit/index.ts";
import { AppError, validationError } from "./errors.ts";

export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const declared = Number(c.req.header("content-length") ?? 0);
  if (declared > MAX_JSON_BYTES)
    throw new AppError(413, "payload_too_large", `body over ${MAX_JSON_BYTES} bytes`);
  const text = await c.req.text();
  if (text.length > MAX_JSON_BYTES)
    throw new AppError(413, "payload_too_large", `body over ${MAX_JSON_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new AppError(400, "invalid_json", "request body is not valid JSON");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

export function parseParam<S extends z.ZodType>(
  schema: S,
  value: unknown,
  notFoundWhat = "video",
): z.infer<S> {
  const parsed = schema.safeParse(value);
  // An id that cannot exist is simply not found (no need to explain its shape).
  if (!parsed.success) throw new AppError(404, "not_found", `${notFoundWhat} not found`);
  return parsed.data;
}
