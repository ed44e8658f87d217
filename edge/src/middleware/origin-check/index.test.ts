import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../lib/app-env.ts";
import { errorResponse } from "../../lib/errors.ts";
import type { Services } from "../../lib/services.ts";
import { requireAllowedOrigin } from "./index.ts";

function appWith(siteOrigins: string[]) {
  return new Hono<AppEnv>()
    .use(async (c, next) => {
      c.set("services", { config: { SITE_ORIGIN: siteOrigins } } as unknown as Services);
      await next();
    })
    .post("/api/auth/refresh", requireAllowedOrigin(), (c) => c.json({ ok: true }))
    .onError((err, c) => errorResponse(c, err));
}

const post = (app: Hono<AppEnv>, headers: Record<string, string>) =>
  app.request("https://app.example/api/auth/refresh", { method: "POST", headers });

describe("Origin check (CSRF)", () => {
  it("defaults to the request's own origin", async () => {
    const app = appWith([]);
    expect((await post(app, { origin: "https://app.example" })).status).toBe(200);
    expect((await post(app, { origin: "http://app.example" })).status).toBe(403);
    expect((await post(app, { origin: "https://app.example.evil.com" })).status).toBe(403);
    expect((await post(app, { origin: "null" })).status).toBe(403);
  });

  it("refuses a missing Origin with 403 bad_origin", async () => {
    const res = await post(appWith([]), {});
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_origin");
  });

  it("uses SITE_ORIGIN when set", async () => {
    const app = appWith(["https://site.example"]);
    expect((await post(app, { origin: "https://site.example" })).status).toBe(200);
    expect((await post(app, { origin: "https://app.example" })).status).toBe(403);
  });
});
