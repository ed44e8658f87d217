import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { call, ORIGIN } from "../../../test/http.ts";
import type { AppEnv } from "../../lib/app-env.ts";
import type { Services } from "../../lib/services.ts";
import { apiCors } from "./index.ts";

function appWith(siteOrigins: string[]) {
  return new Hono<AppEnv>()
    .use(async (c, next) => {
      c.set("services", { config: { SITE_ORIGIN: siteOrigins } } as unknown as Services);
      await next();
    })
    .use("/api/*", apiCors())
    .get("/api/thing", (c) => c.json({ ok: true }));
}

const preflight = (origin: string) => ({
  method: "OPTIONS",
  headers: {
    origin,
    "access-control-request-method": "POST",
    "access-control-request-headers": "authorization, content-type",
  },
});

describe("API CORS", () => {
  it("same-origin default: allows the request's own origin with credentials", async () => {
    const pre = await call("/api/uploads", preflight(ORIGIN));
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(pre.headers.get("access-control-allow-credentials")).toBe("true");
    expect(pre.headers.get("access-control-allow-headers")).toBe("authorization,content-type");
    expect(pre.headers.get("access-control-allow-methods")).toContain("PATCH");

    const get = await call("/api/health", { headers: { origin: ORIGIN } });
    expect(get.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(get.headers.get("vary")).toContain("Origin");
    expect(get.headers.get("access-control-expose-headers")).toContain("retry-after");
  });

  it("gives a foreign origin nothing to read", async () => {
    const pre = await call("/api/uploads", preflight("https://evil.example"));
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    const get = await call("/api/videos", { headers: { origin: "https://evil.example" } });
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("SITE_ORIGIN replaces the default with an explicit list", async () => {
    const app = appWith(["https://site.example", "https://www.site.example"]);
    for (const origin of ["https://site.example", "https://www.site.example"]) {
      const res = await app.request("https://api.example/api/thing", { headers: { origin } });
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
    }
    const self = await app.request("https://api.example/api/thing", {
      headers: { origin: "https://api.example" },
    });
    expect(self.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("media under /v/ keeps its permissive policy", async () => {
    const res = await call("/v/v_0000000000000000/token/master.m3u8", {
      method: "OPTIONS",
      headers: { origin: "https://player.example" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });
});
