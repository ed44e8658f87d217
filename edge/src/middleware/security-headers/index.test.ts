import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { call } from "../../../test/http.ts";
import type { AppEnv } from "../../lib/app-env.ts";
import type { Services } from "../../lib/services.ts";
import { pageCsp, securityHeaders } from "./index.ts";

function directives(csp: string) {
  return Object.fromEntries(
    csp.split(";").map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

const app = new Hono<AppEnv>()
  .use(async (c, next) => {
    c.set("services", {
      config: { S3_ENDPOINT: "http://127.0.0.1:9000", S3_PUBLIC_ENDPOINT: "https://s3.example:9443" },
    } as unknown as Services);
    await next();
  })
  .use(securityHeaders())
  .get("/page", (c) => c.html("<!doctype html><p>hi</p>"))
  .get(
    "/proxied",
    () =>
      new Response("<p>from another Worker</p>", { headers: { "content-type": "text/html; charset=utf-8" } }),
  )
  .get(
    "/token-page",
    () =>
      new Response("<p>a mailed link's token is in this URL</p>", {
        headers: { "content-type": "text/html; charset=utf-8", "referrer-policy": "no-referrer" },
      }),
  )
  .get(
    "/loose-page",
    () =>
      new Response("<p>asks for a looser policy</p>", {
        headers: { "content-type": "text/html; charset=utf-8", "referrer-policy": "unsafe-url" },
      }),
  )
  .get("/api/x", (c) => c.json({ ok: true }))
  .get("/ws", () => {
    const pair = new WebSocketPair();
    pair[1].accept();
    return new Response(null, { status: 101, webSocket: pair[0] });
  });

describe("security headers", () => {
  it("pages get a CSP that lets hls.js, part uploads and the progress socket work, and nothing else", async () => {
    for (const path of ["/page", "/proxied"]) {
      const res = await app.request(`http://127.0.0.1:8787${path}`);
      const csp = directives(res.headers.get("content-security-policy")!);
      expect(csp["default-src"]).toEqual(["'self'"]);
      expect(csp["script-src"]).toEqual(["'self'"]);
      expect(csp["media-src"]).toEqual(["'self'", "blob:", "data:"]);
      expect(csp["worker-src"]).toEqual(["'self'", "blob:"]);
      expect(csp["img-src"]).toEqual(["'self'", "data:", "blob:"]);
      expect(csp["connect-src"]).toEqual(["'self'", "ws://127.0.0.1:8787", "https://s3.example:9443"]);
      expect(csp["frame-ancestors"]).toEqual(["'none'"]);
      expect(csp["object-src"]).toEqual(["'none'"]);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("strict-transport-security")).toBeNull();
    }
  });

  it("a page that asks for no referrer at all keeps it (mailed-link pages); nothing may loosen the policy", async () => {
    const strict = await app.request("http://127.0.0.1:8787/token-page");
    expect(strict.headers.get("referrer-policy")).toBe("no-referrer");
    expect(strict.headers.get("content-security-policy")).toContain("default-src 'self'");
    const loose = await app.request("http://127.0.0.1:8787/loose-page");
    expect(loose.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });

  it("over https: wss for the socket and HSTS", async () => {
    const res = await app.request("https://streamline.example/page");
    expect(directives(res.headers.get("content-security-policy")!)["connect-src"]).toContain(
      "wss://streamline.example",
    );
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
  });

  it("API responses allow nothing to load or frame them", async () => {
    const res = await app.request("http://127.0.0.1:8787/api/x");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("WebSocket upgrades pass through untouched", async () => {
    const res = await app.request("http://127.0.0.1:8787/ws");
    expect(res.status).toBe(101);
    expect(res.headers.get("x-content-type-options")).toBeNull();
    res.webSocket?.accept();
    res.webSocket?.close();
  });

  it("the real app sets them on API errors and on pages from the site Worker", async () => {
    const api = await call("/api/nope");
    expect(api.status).toBe(404);
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
    expect(api.headers.get("content-security-policy")).toContain("default-src 'none'");
    const page = await call("/some/page");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });

  it("the page CSP leaves the storage origin out when it is the page's own", () => {
    const csp = pageCsp({
      storageOrigin: "http://127.0.0.1:8787",
      pageUrl: new URL("http://127.0.0.1:8787/"),
    });
    expect(directives(csp)["connect-src"]).toEqual(["'self'", "ws://127.0.0.1:8787"]);
  });
});
