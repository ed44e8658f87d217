/**
 * `GET /api/health`: each component checked for real, with a short timeout each. Anyone
 * sees ok/not-ok per component; only admins (role `admin` in D1, as for `/api/admin/*`) see
 * the details (error text, fleet capacity). One check per isolate per `HEALTH_CACHE_MS`
 * (concurrent callers share it), so a loop on the endpoint cannot hammer D1, S3 or the fleet.
 */

import { createRoute } from "@hono/zod-openapi";
import { HealthResponse } from "@streamline/contracts";
import { sql } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { clientInfo } from "../../lib/client-info.ts";
import { errors, json, openApiRouter } from "../../lib/openapi.ts";
import type { Services } from "../../lib/services.ts";
import { TranscoderClient } from "../../lib/transcoder-client.ts";
import { rateLimit } from "../../middleware/rate-limit/index.ts";
import { authenticate } from "../auth/auth.middleware.ts";
import { hasRole } from "../auth/roles.ts";

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

type Report = { ok: boolean; components: Record<"d1" | "storage" | "queue" | "transcoder", Check> };

/** How long one round of checks answers for, in this isolate. */
export const HEALTH_CACHE_MS = 5000;
let cached: { at: number; report: Promise<Report> } | undefined;

/** Forgets the cached round (tests). */
export function clearHealthCache() {
  cached = undefined;
}

/** What anonymous callers see: ok per component, no error text or capacity. */
function publicView(report: Report): Report {
  const strip = ({ ok }: Check): Check => ({ ok });
  const { d1, storage, queue, transcoder } = report.components;
  return {
    ok: report.ok,
    components: {
      d1: strip(d1),
      storage: strip(storage),
      queue: strip(queue),
      transcoder: strip(transcoder),
    },
  };
}

const example = {
  ok: true,
  components: {
    d1: { ok: true },
    storage: { ok: true },
    queue: { ok: true },
    transcoder: { ok: true },
  },
};

const health = createRoute({
  method: "get",
  path: "/",
  tags: ["health"],
  summary: "Each component of the platform, checked for real",
  description:
    "ok/not-ok per component. `detail` (error text, fleet capacity) is only filled in for an admin's bearer token. " +
    `One round of checks answers for ${HEALTH_CACHE_MS / 1000} s. Limited per client IP (RL_HEALTH).`,
  middleware: [rateLimit("RL_HEALTH", (c) => clientInfo(c.req.raw).rateKey)] as const,
  responses: {
    ...errors(429),
    200: json(HealthResponse, "Every component answered", example),
    503: json(HealthResponse, "At least one component did not answer", {
      ...example,
      ok: false,
      components: { ...example.components, transcoder: { ok: false } },
    }),
  },
});

async function check(services: Services): Promise<Report> {
  const { db, store, config, env } = services;
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
  return { ok, components: { d1, storage, queue, transcoder } };
}

function cachedCheck(services: Services): Promise<Report> {
  const now = Date.now();
  if (!cached || now - cached.at >= HEALTH_CACHE_MS) cached = { at: now, report: check(services) };
  return cached.report;
}

/** An admin's valid bearer token; a missing or bad one is just anonymous here. */
async function isAdmin(c: Context<AppEnv>): Promise<boolean> {
  const claims = await authenticate(c).catch(() => null);
  return !!claims && (await hasRole(c.var.services.db, claims.userId, "admin"));
}

export const healthRoutes = openApiRouter().openapi(health, async (c) => {
  const report = await cachedCheck(c.var.services);
  const body = (await isAdmin(c)) ? report : publicView(report);
  return c.json(body, report.ok ? 200 : 503);
});
