/**
 * Routes the fuzzer knows without the OpenAPI document. Two uses: (1) the routes that
 * are not part of the public API description (`/v/…` delivery, `/ws/…`, the fleet's
 * `/internal/…`, site pages) are always fuzzed on top of the document; (2) until the edge serves
 * `GET /api/openapi.json`, the `/api/*` list below stands in for it, and once it does,
 * every route here must appear in it (the document is checked for completeness).
 * Body schemas come from `@streamline/contracts` (the same zod the edge validates with).
 */
import {
  CreateUploadBody,
  LoginBody,
  PartUrlsBody,
  PutCaptionQuery,
  RecordPartBody,
  SignupBody,
  UpdateVideoBody,
  VideoListQuery,
  WsTicketBody,
} from "@streamline/contracts";
import { type ZodType, z } from "zod";
import type { JsonSchema, OpenApiDocument } from "./openapi-operations.ts";

const schema = (t: ZodType) => z.toJSONSchema(t, { io: "input", unrepresentable: "any" }) as JsonSchema;
const json = (t: ZodType) => ({ content: { "application/json": { schema: schema(t) } } });
const id = (name: string, pattern?: string) => ({
  name,
  in: "path",
  required: true,
  schema: { type: "string", ...(pattern ? { pattern } : {}) },
});
const queryOf = (t: ZodType) => {
  const s = schema(t);
  return Object.entries(s.properties ?? {}).map(([name, p]) => ({ name, in: "query", schema: p }));
};
const VIDEO = id("id", "^v_[A-Za-z0-9]{16}$");
const VIDEO_ID = id("videoId", "^v_[A-Za-z0-9]{16}$");
const BEARER = [{ bearerAuth: [] }];
const OPTIONAL = [{}, { bearerAuth: [] }];

/** `/api/*` as `edge/src/app.ts` mounts it (commit 0d7b084), in OpenAPI 3.1 form. */
export const FALLBACK_DOCUMENT: OpenApiDocument = {
  openapi: "3.1.0",
  paths: {
    "/api/health": { get: {} },
    "/api/auth/signup": { post: { requestBody: json(SignupBody) } },
    "/api/auth/login": { post: { requestBody: json(LoginBody) } },
    "/api/auth/refresh": { post: {} },
    "/api/auth/logout": { post: {} },
    "/api/me": { get: { security: BEARER } },
    "/api/me/videos": { get: { security: BEARER, parameters: queryOf(VideoListQuery) } },
    "/api/sessions": { get: { security: BEARER } },
    "/api/sessions/{id}": { delete: { security: BEARER, parameters: [id("id", "^s_[A-Za-z0-9]{20}$")] } },
    "/api/uploads": { post: { security: BEARER, requestBody: json(CreateUploadBody) } },
    "/api/uploads/{videoId}": {
      get: { security: BEARER, parameters: [VIDEO_ID] },
      delete: { security: BEARER, parameters: [VIDEO_ID] },
    },
    "/api/uploads/{videoId}/urls": {
      post: { security: BEARER, parameters: [VIDEO_ID], requestBody: json(PartUrlsBody) },
    },
    "/api/uploads/{videoId}/parts/{n}": {
      put: {
        security: BEARER,
        parameters: [
          VIDEO_ID,
          { name: "n", in: "path", schema: { type: "integer", minimum: 1, maximum: 10_000 } },
        ],
        requestBody: json(RecordPartBody),
      },
    },
    "/api/uploads/{videoId}/complete": { post: { security: BEARER, parameters: [VIDEO_ID] } },
    "/api/videos": { get: { security: OPTIONAL, parameters: queryOf(VideoListQuery) } },
    "/api/videos/{id}": {
      get: { security: OPTIONAL, parameters: [VIDEO] },
      patch: { security: BEARER, parameters: [VIDEO], requestBody: json(UpdateVideoBody) },
      delete: { security: BEARER, parameters: [VIDEO] },
    },
    "/api/videos/{id}/playlist.m3u8": { get: { security: OPTIONAL, parameters: [VIDEO] } },
    "/api/videos/{id}/captions": { get: { security: OPTIONAL, parameters: [VIDEO] } },
    "/api/videos/{id}/captions/{lang}": {
      put: {
        security: BEARER,
        parameters: [VIDEO, id("lang", "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"), ...queryOf(PutCaptionQuery)],
        requestBody: {
          content: {
            "text/vtt": { schema: { type: "string" } },
            "application/x-subrip": { schema: { type: "string" } },
          },
        },
      },
      delete: { security: BEARER, parameters: [VIDEO, id("lang")] },
    },
    "/api/videos/{id}/poster": {
      put: {
        security: BEARER,
        parameters: [VIDEO],
        requestBody: {
          content: {
            "image/jpeg": { schema: { type: "string", format: "binary" } },
            "image/png": { schema: { type: "string", format: "binary" } },
            "image/webp": { schema: { type: "string", format: "binary" } },
          },
        },
      },
    },
    "/api/ws-ticket": { post: { security: OPTIONAL, requestBody: json(WsTicketBody) } },
    "/api/admin/fleet": { get: { security: BEARER } },
  },
};

/** Not in the public API description, fuzzed on top of it. */
export const EXTRA_DOCUMENT: OpenApiDocument = {
  openapi: "3.1.0",
  paths: {
    "/v/{id}/{token}/{file}": {
      get: { parameters: [VIDEO, id("token"), id("file")] },
      head: { parameters: [VIDEO, id("token"), id("file")] },
    },
    "/ws/videos/{id}": {
      get: { parameters: [VIDEO, { name: "ticket", in: "query", schema: { type: "string" } }] },
    },
    "/internal/transcoder/events": {
      post: { requestBody: { content: { "application/json": { schema: { type: "object" } } } } },
    },
    "/api/no-such-endpoint/{x}": { get: { parameters: [id("x")] }, post: { parameters: [id("x")] } },
    // Pages: forwarded to the site Worker over the SITE binding (a stub in these tests).
    "/watch/{id}": { get: { parameters: [VIDEO] }, post: { parameters: [VIDEO] } },
  },
};
