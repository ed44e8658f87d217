/**
 * What every answer to a hostile request must be (DESIGN "Errors"): never a 5xx; every
 * non-2xx from the API is JSON `{ error: { code, message } }` with a snake_case code and
 * no stack trace; every 2xx JSON parses; an answer comes within a bound. Breaches that
 * belong to an open issue 11 hole (or were reported and await a fix elsewhere) are listed
 * in KNOWN_FINDINGS: the fuzzer counts and prints them instead of failing, and each fix
 * empties its entry.
 */
import type { RequestSpec } from "./hostile-requests.ts";

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  ms: number;
  /** Path of the request as the Worker saw it (after URL normalisation). */
  pathname: string;
}

export interface Violation {
  rule: "5xx" | "error-not-json" | "error-shape" | "stack-trace" | "bad-json" | "slow" | "threw";
  detail: string;
}

export const SLOW_MS = 10_000;

const API_PATH = /^\/(?:api|v|ws|internal)\//;
const SNAKE = /^[a-z][a-z0-9_]*$/;
const STACK = /\n\s+at |\bat [\w$.<>]+ \([^)]*:\d+:\d+\)|\.ts:\d+:\d+|Error: .*\n/;

export function violationsOf(req: { method: string }, a: Answer): Violation[] {
  const out: Violation[] = [];
  if (a.status >= 500) out.push({ rule: "5xx", detail: `${a.status} ${a.text.slice(0, 200)}` });
  if (a.ms > SLOW_MS) out.push({ rule: "slow", detail: `${a.ms.toFixed(0)} ms` });
  if (STACK.test(a.text)) out.push({ rule: "stack-trace", detail: a.text.slice(0, 300) });
  const isJson = /^application\/(?:[\w.+-]+\+)?json\b/i.test(a.contentType);
  const isError = a.status >= 400;
  if (req.method === "HEAD" || a.status === 101 || a.status === 204 || a.status === 304) return out;
  if (isError && !isJson && API_PATH.test(a.pathname)) {
    out.push({ rule: "error-not-json", detail: `${a.status} ${a.contentType} ${a.text.slice(0, 120)}` });
  }
  if (!isJson) return out;
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    out.push({ rule: "bad-json", detail: a.text.slice(0, 200) });
    return out;
  }
  if (isError) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const ok =
      !!error &&
      typeof error.code === "string" &&
      SNAKE.test(error.code) &&
      typeof error.message === "string" &&
      error.message.length > 0;
    if (!ok) out.push({ rule: "error-shape", detail: a.text.slice(0, 200) });
  }
  return out;
}

export interface KnownFinding {
  /** Stable name, printed with every count. */
  id: string;
  /** The open issue 11 hole it belongs to; undefined = reported to the coordinator, not listed. */
  hole?: number;
  title: string;
  matches(spec: RequestSpec, a: Answer, v: Violation): boolean;
}

// Empty: every finding the fuzz reported so far is fixed, so any 5xx now fails the run.
// A new one that cannot be fixed at once is listed here with its hole (or reported) and a
// matcher as narrow as its cause.
export const KNOWN_FINDINGS: KnownFinding[] = [];

/** The known finding a violation belongs to, if any. */
export function knownFindingFor(spec: RequestSpec, a: Answer, v: Violation): KnownFinding | undefined {
  return KNOWN_FINDINGS.find((k) => k.matches(spec, a, v));
}
