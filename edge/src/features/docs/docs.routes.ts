/**
 * The API describes itself: `GET /api/openapi.json` (OpenAPI 3.1, generated from the
 * routes' zod schemas) and `GET /docs`, an interactive reference (Scalar) whose script is
 * served from here, `/docs/scalar.js`, so it works with no internet. The page's inline
 * init script carries a per-request nonce that the CSP of `/docs` allows (security-headers).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env.ts";
import { randomId } from "../../lib/ids.ts";
import { json, openApiRouter } from "../../lib/openapi.ts";
import { SCALAR_BUNDLE } from "./scalar-bundle.ts";

export const DOCUMENT_PATH = "/api/openapi.json";
export const BUNDLE_PATH = "/docs/scalar.js";
/** Changes whenever the bundle does, so the script can be cached for a year. */
const BUNDLE_URL = `${BUNDLE_PATH}?v=${SCALAR_BUNDLE.length.toString(36)}`;

const tags = ["docs"];

/** The document's outline; `paths` and `components` come from the routes. */
const OpenApiDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

const documentRoute = createRoute({
  method: "get",
  path: DOCUMENT_PATH,
  tags,
  summary: "This document (OpenAPI 3.1)",
  responses: {
    200: json(OpenApiDocument, "The OpenAPI document", {
      openapi: "3.1.0",
      info: { title: "Streamline API", version: "0.1.0" },
      paths: {},
    }),
  },
});

const reference = createRoute({
  method: "get",
  path: "/docs",
  tags,
  summary: "Interactive API reference (HTML)",
  responses: {
    200: { description: "The reference page", content: { "text/html": { schema: { type: "string" } } } },
  },
});

const bundle = createRoute({
  method: "get",
  path: BUNDLE_PATH,
  tags,
  summary: "The reference's script (from npm, served by the platform)",
  responses: {
    200: {
      description: "JavaScript",
      headers: { "cache-control": { schema: { type: "string" } } },
      content: { "text/javascript": { schema: { type: "string" } } },
    },
  },
});

const scalarPage = Scalar((c: Context<AppEnv>) => {
  const nonce = randomId(22);
  c.set("cspNonce", nonce);
  return {
    url: DOCUMENT_PATH,
    cdn: BUNDLE_URL,
    nonce,
    pageTitle: "Streamline API",
    // No fonts from fonts.scalar.com, no calls home: the page must work offline.
    withDefaultFonts: false,
    telemetry: false,
    hideClientButton: true,
  };
});

/** `document(c)`: the app's generated document (the app owns the registry of every route). */
export function docsRoutes(document: (c: Context<AppEnv>) => unknown) {
  return openApiRouter()
    .openapi(documentRoute, (c) => {
      c.header("cache-control", "no-cache");
      return c.json(OpenApiDocument.parse(document(c)), 200);
    })
    .openapi(reference, (c) => scalarPage(c, async () => {}) as never)
    .openapi(bundle, (c) => {
      c.header("cache-control", "public, max-age=31536000, immutable");
      return c.body(SCALAR_BUNDLE, 200, { "content-type": "text/javascript; charset=utf-8" }) as never;
    });
}
