/** Test helpers: call the Worker's fetch handler and read JSON. */
import { exports } from "cloudflare:workers";
import { vi } from "vitest";

export const ORIGIN = "http://127.0.0.1:8787";

export async function call(path: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  const body = json !== undefined ? JSON.stringify(json) : rest.body;
  return exports.default.fetch(
    new Request(`${ORIGIN}${path}`, { ...rest, headers, ...(body !== undefined ? { body } : {}) }),
  );
}

export async function callJson<T = Record<string, unknown>>(
  path: string,
  init: RequestInit & { json?: unknown } = {},
) {
  const res = await call(path, init);
  const text = await res.text();
  return { res, status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Polls `fn` (vitest's `vi.waitFor`) until it returns something truthy, and returns that. */
export function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  stepMs = 100,
): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await fn();
      if (!v) throw new Error("condition not met in time");
      return v;
    },
    { timeout: timeoutMs, interval: stepMs },
  );
}
