import { describe, expect, it } from "vitest";
import { call, callJson, ORIGIN } from "../../../test/http.ts";
import { app, openApiPath } from "../../app.ts";

type Operation = { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> };
type Document = {
  openapi: string;
  info: { title: string; version: string };
  servers: { url: string }[];
  tags: { name: string }[];
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  paths: Record<string, Record<string, Operation>>;
};

/** Responses that carry no body by definition (a HEAD answer carries none either). */
const BODYLESS = new Set(["101", "204", "302", "304", "308"]);

/** Every route the app registered, minus middleware (`ALL`) and the site/404 catch-alls. */
function servedRoutes() {
  const routes = app.routes
    .filter((r) => r.method !== "ALL" && !r.path.endsWith("*"))
    .map((r) => `${r.method} ${openApiPath(r.path)}`);
  return [...new Set(routes)].sort();
}

describe("GET /api/openapi.json", () => {
  it("is an OpenAPI 3.1 document with title, version, servers, bearer security and tags", async () => {
    const { status, body, res } = await callJson<Document>("/api/openapi.json");
    expect(status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(body.openapi).toMatch(/^3\.1\./);
    expect(body.info).toMatchObject({ title: "Streamline API", version: expect.any(String) });
    expect(body.servers[0]!.url).toBe(ORIGIN);
    expect(body.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(body.tags.map((t) => t.name)).toEqual(expect.arrayContaining(["auth", "videos", "delivery"]));
  });

  it("documents every route the app serves, each with response schemas", async () => {
    const { body } = await callJson<Document>("/api/openapi.json");
    const routes = servedRoutes();
    const problems: string[] = [];
    for (const route of routes) {
      const [method, path] = route.split(" ") as [string, string];
      const operation = body.paths[path]?.[method.toLowerCase()];
      if (!operation) {
        problems.push(`${route}: not in the document`);
        continue;
      }
      const responses = Object.entries(operation.responses ?? {});
      if (responses.length === 0) problems.push(`${route}: no responses`);
      if (
        !responses.some(([status]) => /^[45]/.test(status)) &&
        method !== "OPTIONS" &&
        !path.startsWith("/docs") &&
        path !== "/api/openapi.json"
      )
        problems.push(`${route}: no error response`);
      for (const [status, response] of responses) {
        if (BODYLESS.has(status) || method === "HEAD") continue;
        const media = Object.values(response.content ?? {});
        if (media.length === 0 || media.some((m) => !m.schema))
          problems.push(`${route} ${status}: no schema`);
      }
    }
    console.log(`OpenAPI document covers ${routes.length} routes (${Object.keys(body.paths).length} paths)`);
    expect(problems).toEqual([]);
    expect(routes.length).toBeGreaterThan(30);
  });
});

describe("GET /docs", () => {
  it("answers an HTML reference whose scripts are all same-origin, allowed by its CSP", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    const srcs = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!);
    expect(srcs.length).toBeGreaterThan(0);
    for (const src of srcs) expect(new URL(src, ORIGIN).origin, src).toBe(ORIGIN);
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"'\s]*\.(js|css)/);
    const nonce = /<script[^>]*nonce="([^"]+)"/.exec(html)?.[1];
    expect(nonce).toBeTruthy();
    expect(res.headers.get("content-security-policy")).toContain(`script-src 'self' 'nonce-${nonce}'`);

    const script = await call(srcs[0]!);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(script.headers.get("cache-control")).toContain("immutable");
    expect((await script.text()).length).toBeGreaterThan(1_000_000);
  });

  it("other pages keep the strict script policy", async () => {
    const res = await call("/");
    expect(res.headers.get("content-security-policy") ?? "script-src 'self';").not.toContain("nonce-");
  });
});
