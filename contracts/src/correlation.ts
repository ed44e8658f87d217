/**
 * Correlation ids carried from the edge to the fleet and back (ADR 0028): the request that
 * started a job travels in the job message (across the queue), as the `x-request-id` header
 * of the dispatch, and back as a field of every event the fleet posts. Both packages log it.
 */
import { z } from "zod";

export const REQUEST_ID_HEADER = "x-request-id";

/** Letters, digits and `-_=.:`, at most 128: a UUID, a proxy's id, never a log-injection vector. */
export const REQUEST_ID_PATTERN = /^[\w\-=.:]{1,128}$/;
export const RequestId = z.string().regex(REQUEST_ID_PATTERN, "not a request id");

/** A sane incoming id, else undefined (the caller mints one). */
export function acceptRequestId(raw: string | null | undefined): string | undefined {
  return raw && REQUEST_ID_PATTERN.test(raw) ? raw : undefined;
}
