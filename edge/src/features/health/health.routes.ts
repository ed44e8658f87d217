/** `GET /api/health`: each component checked for real, with a short timeout each. */

import { createRoute } from "@hono/zod-openapi";
import { HealthResponse } from "@streamline/contracts";
import { sql } from "drizzle-orm";
import { json, openApiRouter } from "../../lib/openapi.ts";
import { TranscoderClient } from "../../lib/transcoder-client.ts";

type Check = { ok: boolean; detail?: string };

async function timed(fn: () => Promise<string | undefined>, ms = 2000): Promise<Check> {
  try {
    const detail = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)),
    ]);
    return detail ? { ok: true, detail } : { ok: true };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

const example = {
  ok: true,
  components: {
    d1: { ok: true },
    storage: { ok: true },
    queue: { ok: true },
    transcoder: { ok: true, detail: "0/4 jobs" },
  },
};

const health = createRoute({
  method: "get",
  path: "/",
  tags: ["health"],
  summary: "Each component of the platform, checked for real",
  responses: {
    200: json(HealthResponse, "Every component answered", example),
    503: json(HealthResponse, "At least one component did not answer", {
      ...example,
      ok: false,
      components: { ...example.components, transcoder: { ok: false, detail: "timed out after 2000 ms" } },
    }),
  },
});

export const healthRoutes = openApiRouter().openapi(health, async (c) => {
  const { db, store, config, env } = c.var.services;
  const [d1, storage, transcoder] = await Promise.all([
    timed(async () => {
      await db.run(sql`select 1`);
      return undefined;
    }),
    timed(async () => {
      await store.list("__health/");
      return config.MEDIA_READS === "r2" ? "reads via R2 binding" : undefined;
    }),
    timed(() => new TranscoderClient(config).health(2000)),
  ]);
  // Queues have no read API from a Worker: a bound producer is the most we can know.
  const queue: Check =
    typeof env.JOBS?.send === "function" ? { ok: true } : { ok: false, detail: "JOBS not bound" };
  const ok = d1.ok && storage.ok && queue.ok && transcoder.ok;
  return c.json({ ok, components: { d1, storage, queue, transcoder } }, ok ? 200 : 503);
});
